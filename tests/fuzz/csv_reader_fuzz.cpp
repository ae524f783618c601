// libFuzzer harness for CsvTable::read (engine/core/csv_reader.hpp): the fuzzed bytes are a CSV
// file. Either the reader refuses it with an InputError, or every accessor a caller can reach
// keeps the header's promises (unique column names, one field per column, lines in order,
// integer() agreeing with the field's text).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "fuzz_support.hpp"

namespace {

using carecast::fuzz::require;

bool is_base10_integer_text(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void check_integer(const carecast::CsvTable& table, std::size_t row, std::size_t column) {
  const std::string_view text = table.field(row, column);
  try {
    const std::int64_t value = table.integer(row, column);
    std::int64_t expected = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), expected);
    require(is_base10_integer_text(text) && error == std::errc{} && end == text.data() + text.size(),
            "integer() accepts only a whole base-10 integer that fits");
    require(value == expected, "integer() returns the field's value");
  } catch (const carecast::InputError& error) {
    require(error.where().field == table.columns()[column], "integer() errors name the column");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = carecast::fuzz::scratch_dir() / "fuzzed.csv";
  carecast::fuzz::write_file(file, carecast::fuzz::as_text(data, size));
  try {
    const carecast::CsvTable table = carecast::CsvTable::read(file);
    const auto& columns = table.columns();
    require(!columns.empty(), "a table read has a header");
    for (std::size_t column = 0; column < columns.size(); ++column) {
      require(!columns[column].empty(), "column names are not empty");
      require(table.find_column(columns[column]) == column, "column names are unique");
      require(table.require_column(columns[column]) == column, "require_column finds every column");
      require(table.header_location(column).field == columns[column], "header locations name the column");
    }
    // Lines are counted by LF. libcsv also ends a record at a lone CR, which does not start a new
    // line, so two records can share one: lines never decrease, but may repeat.
    int previous_line = table.header_line();
    for (std::size_t row = 0; row < table.row_count(); ++row) {
      require(table.line(row) >= previous_line, "records start on lines in file order, from the header on");
      previous_line = table.line(row);
      for (std::size_t column = 0; column < columns.size(); ++column) {
        require(table.location(row, column).line == table.line(row), "locations name the record's line");
        check_integer(table, row, column);
      }
    }
  } catch (const carecast::InputError&) {
    // Refusing bad input is the expected outcome.
  }
  return 0;
}
