// A CSV file read whole into memory: a header row naming the columns, then records of string
// fields, each with the physical line on which it starts so that errors can point at it.
//
// Built on libcsv. Field text is kept in one buffer and handed out as string_views, so a 100k-row
// SSDA903 extract costs a few allocations rather than one per field. Accepts a UTF-8 byte order
// mark, LF or CRLF line ends, quoted fields (which may contain commas, doubled quotes and line
// breaks) and skips blank lines. Every record must have as many fields as the header, so a file
// cut off part-way through its last record is refused, as is one cut off inside a quoted field
// (libcsv's CSV_STRICT_FINI). UTF-16 files (by their byte order mark) are refused with a hint, and
// anything that is not a regular file (a FIFO, folder or device) by name before it is opened.
//
// Errors are InputError naming the file, the line, the column number (1-based field position)
// and the column name. Field values never appear in messages: they may be personal data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace carecast {

class CsvTable {
 public:
  // Throws InputError if the file cannot be read, is malformed, is empty, has an empty or repeated
  // column name, or has a record whose field count differs from the header's.
  static CsvTable read(const std::filesystem::path& file);

  const std::string& file() const { return file_; }
  const std::vector<std::string>& columns() const { return columns_; }
  int header_line() const { return header_line_; }

  std::optional<std::size_t> find_column(std::string_view name) const;
  // The index of the named column; InputError naming the file, the header line and the column if
  // the header lacks it.
  std::size_t require_column(std::string_view name) const;

  // Data records, excluding the header and blank lines.
  std::size_t row_count() const { return record_lines_.size() - 1; }
  int line(std::size_t row) const { return record_lines_[row + 1]; }
  std::string_view field(std::size_t row, std::size_t column) const;
  // The field as a base-10 integer (optional leading '-'); InputError "expected an integer"
  // naming the column otherwise.
  std::int64_t integer(std::size_t row, std::size_t column) const;

  // Where a field is, for error messages: file, line, column number and column name.
  InputLocation location(std::size_t row, std::size_t column) const;
  // Where a header cell is.
  InputLocation header_location(std::size_t column) const;

 private:
  CsvTable() = default;

  std::string file_;
  std::vector<std::string> columns_;
  int header_line_ = 1;
  // Every record's fields, header first, concatenated; field k ends at field_ends_[k].
  std::string text_;
  std::vector<std::size_t> field_ends_;
  std::vector<int> record_lines_;  // header first
};

}  // namespace carecast
