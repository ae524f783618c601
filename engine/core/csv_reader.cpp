#include "core/csv_reader.hpp"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <new>
#include <utility>

#include "core/input_files.hpp"

namespace carecast {
namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LittleEndianMark = "\xFF\xFE";
constexpr std::string_view kUtf16BigEndianMark = "\xFE\xFF";

// What libcsv's callbacks build. They are called from C, so a problem in the data is recorded
// here and thrown once parsing returns rather than thrown through libcsv.
struct RecordBuilder {
  std::string text;
  std::vector<std::size_t> field_ends;
  std::vector<int> record_lines;
  std::size_t fields_in_record = 0;
  std::size_t header_fields = 0;
  int line = 1;         // the physical line the parser has reached
  int record_line = 0;  // the line on which the current record started
  // The first record whose field count differs from the header's.
  int mismatched_line = 0;
  std::size_t mismatched_fields = 0;
};

void on_field(void* data, std::size_t size, void* context) {
  auto& builder = *static_cast<RecordBuilder*>(context);
  if (builder.fields_in_record == 0) builder.record_line = builder.line;
  ++builder.fields_in_record;
  if (size > 0) {
    const char* chars = static_cast<const char*>(data);
    builder.text.append(chars, size);
    // Only a quoted field can hold a line break; counting it keeps later line numbers true.
    builder.line += static_cast<int>(std::count(chars, chars + size, '\n'));
  }
  builder.field_ends.push_back(builder.text.size());
}

// With CSV_REPALL_NL libcsv reports every unquoted line end, including those of blank lines and
// the LF after a CR, so counting LF terminators counts physical lines.
void on_record_end(int terminator, void* context) {
  auto& builder = *static_cast<RecordBuilder*>(context);
  if (builder.fields_in_record > 0) {
    if (builder.record_lines.empty()) {
      builder.header_fields = builder.fields_in_record;
    } else if (builder.fields_in_record != builder.header_fields && builder.mismatched_line == 0) {
      builder.mismatched_line = builder.record_line;
      builder.mismatched_fields = builder.fields_in_record;
    }
    builder.record_lines.push_back(builder.record_line);
    builder.fields_in_record = 0;
  }
  if (terminator == '\n') ++builder.line;
}

class CsvParser {
 public:
  CsvParser() {
    if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) throw std::bad_alloc();
  }
  ~CsvParser() { csv_free(&parser_); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
};

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& file) {
  CsvTable table;
  table.file_ = file.string();
  // Refuses FIFOs, folders and devices by name before opening: a FIFO would block for ever.
  const std::string bytes = read_input_file(file);
  std::string_view input = bytes;
  if (input.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) {
    input.remove_prefix(kUtf8ByteOrderMark.size());
  }
  // Excel's "Unicode text" and some exports are UTF-16: every other byte is zero, which would
  // parse as one odd column per line. Said plainly instead.
  if (input.starts_with(kUtf16LittleEndianMark) || input.starts_with(kUtf16BigEndianMark)) {
    throw InputError({table.file_, 1, 0, {}}, "is UTF-16 text: save it as CSV in UTF-8 (or plain ASCII)");
  }

  RecordBuilder builder;
  builder.text.reserve(input.size());
  CsvParser parser;
  const std::size_t parsed =
      csv_parse(parser.get(), input.data(), input.size(), on_field, on_record_end, &builder);
  if (parsed != input.size()) {
    const int line = 1 + static_cast<int>(std::count(
                             input.begin(), input.begin() + static_cast<std::ptrdiff_t>(parsed), '\n'));
    const std::string problem =
        csv_error(parser.get()) == CSV_EPARSE
            ? "malformed quoting: a quote inside an unquoted field, or text after a closing quote"
            : csv_strerror(csv_error(parser.get()));
    throw InputError({table.file_, line, 0, {}}, problem);
  }
  if (csv_fini(parser.get(), on_field, on_record_end, &builder) != 0) {
    const int line = builder.fields_in_record > 0 ? builder.record_line : builder.line;
    throw InputError({table.file_, line, 0, {}}, "a quoted field is never closed");
  }
  if (builder.mismatched_line > 0) {
    throw InputError({table.file_, builder.mismatched_line, 0, {}},
                     "this record has " + std::to_string(builder.mismatched_fields) +
                         " fields but the header has " + std::to_string(builder.header_fields));
  }
  if (builder.record_lines.empty()) {
    throw InputError({table.file_, 0, 0, {}}, "the file is empty: expected a header row");
  }

  table.text_ = std::move(builder.text);
  table.field_ends_ = std::move(builder.field_ends);
  table.record_lines_ = std::move(builder.record_lines);
  table.header_line_ = table.record_lines_.front();
  std::size_t begin = 0;
  for (std::size_t column = 0; column < builder.header_fields; ++column) {
    const std::size_t end = table.field_ends_[column];
    std::string name = table.text_.substr(begin, end - begin);
    begin = end;
    const InputLocation where{table.file_, table.header_line_, static_cast<int>(column) + 1, name};
    if (name.empty()) throw InputError(where, "empty column name in the header");
    if (table.find_column(name)) throw InputError(where, "this column name appears twice in the header");
    table.columns_.push_back(std::move(name));
  }
  return table;
}

std::optional<std::size_t> CsvTable::find_column(std::string_view name) const {
  const auto found = std::find(columns_.begin(), columns_.end(), name);
  if (found == columns_.end()) return std::nullopt;
  return static_cast<std::size_t>(found - columns_.begin());
}

std::size_t CsvTable::require_column(std::string_view name) const {
  if (auto column = find_column(name)) return *column;
  throw InputError({file_, header_line_, 0, std::string(name)}, "the header has no column of this name");
}

std::string_view CsvTable::field(std::size_t row, std::size_t column) const {
  const std::size_t index = (row + 1) * columns_.size() + column;  // record 0 is the header
  const std::size_t begin = field_ends_[index - 1];
  return std::string_view(text_).substr(begin, field_ends_[index] - begin);
}

std::int64_t CsvTable::integer(std::size_t row, std::size_t column) const {
  const std::string_view text = field(row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw InputError(location(row, column), "expected an integer");
  }
  return value;
}

InputLocation CsvTable::location(std::size_t row, std::size_t column) const {
  return {file_, line(row), static_cast<int>(column) + 1, columns_[column]};
}

InputLocation CsvTable::header_location(std::size_t column) const {
  return {file_, header_line_, static_cast<int>(column) + 1, columns_[column]};
}

}  // namespace carecast
