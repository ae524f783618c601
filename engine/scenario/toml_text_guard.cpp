#include "scenario/toml_text_guard.hpp"

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace carecast {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence starting at `at`, or 0 if it is not one (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF, no cut-off sequence).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t offset) -> unsigned char {
    return at + offset < text.size() ? static_cast<unsigned char>(text[at + offset]) : 0;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  // The second byte's allowed range depends on the lead byte; the rest are 80-BF.
  unsigned char low = 0x80, high = 0xBF;
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong below U+0800
    if (lead == 0xED) high = 0x9F;  // surrogates U+D800-U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong below U+10000
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(byte(i))) return 0;
  }
  return length;
}

// Walks the text once, knowing whether each byte is in a string, a comment or the structure
// around them (keys, values, brackets), as toml++ would see it in a document it accepts. Every
// byte of a multi-byte UTF-8 character is 0x80 or above, so the ASCII bytes that delimit strings,
// comments and headers can be read byte by byte once the encoding is known to be valid.
class TextGuard {
 public:
  TextGuard(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  void check() {
    if (text_.size() > kMaxScenarioBytes) {
      throw InputError({file_, 0, 0, {}}, "is larger than 16 MiB: not a scenario file");
    }
    const std::size_t start = text_.substr(0, kByteOrderMark.size()) == kByteOrderMark ? kByteOrderMark.size() : 0;
    restart_at(start);
    check_encoding();
    restart_at(start);
    check_structure();
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& problem) const {
    // Columns count characters, as toml++'s own messages do.
    int column = 1;
    for (std::size_t i = line_start_; i < at; ++i) {
      if (!is_continuation(static_cast<unsigned char>(text_[i]))) ++column;
    }
    throw InputError({file_, line_, column, {}}, problem);
  }

  unsigned char byte(std::size_t at) const { return at < text_.size() ? static_cast<unsigned char>(text_[at]) : 0; }

  void restart_at(std::size_t start) {
    at_ = line_start_ = start;
    line_ = 1;
  }

  void new_line(std::size_t after_line_feed) {
    ++line_;
    line_start_ = after_line_feed;
  }

  // Strict UTF-8, and no control character but tab and line ends.
  void check_encoding() {
    while (at_ < text_.size()) {
      const unsigned char b = byte(at_);
      if (b == '\n') {
        new_line(++at_);
        continue;
      }
      if (b == '\r') {
        if (byte(at_ + 1) != '\n') fail(at_, "a carriage return must be followed by a line feed");
        ++at_;
        continue;
      }
      if ((b < 0x20 && b != '\t') || b == 0x7F) fail(at_, "control character (only tab and line ends are allowed)");
      const std::size_t length = utf8_sequence_length(text_, at_);
      if (length == 0) fail(at_, "not valid UTF-8: save the scenario as UTF-8 text");
      if (b == 0xC2 && byte(at_ + 1) < 0xA0) fail(at_, "control character U+0080-U+009F");
      at_ += length;
    }
  }

  [[noreturn]] void fail_non_ascii(std::size_t at, std::string_view where) const {
    fail(at, "non-ASCII character " + std::string(where) +
                 "; TOML keys and values are ASCII (only strings and comments may hold other characters)");
  }

  bool starts_with(std::string_view prefix) const { return text_.substr(at_, prefix.size()) == prefix; }

  // `[` or `[[` at the start of a line, outside any value: toml++ reads a key next without
  // checking that one starts there (marzer/tomlplusplus#294).
  void check_table_header() {
    std::size_t next = at_ + 1;
    if (byte(next) == '[') ++next;
    while (byte(next) == ' ' || byte(next) == '\t') ++next;
    const unsigned char c = byte(next);
    const bool starts_key = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '_' || c == '-' || c == '"' || c == '\'';
    if (next < text_.size() && !starts_key && c != ']') {
      fail(next, "a table header must name a table: expected a key after '['");
    }
    at_ = next;
  }

  // Where a string, an array or an inline table may start: where a key or a value starts (and
  // an array or inline table only where a value starts). Anywhere else toml++ may be reading a
  // bare value on through the quote or bracket (see skip_bare_value), so the lexer here would
  // lose step with it. TOML allows nothing there, so refusing it refuses nothing valid.
  static bool may_start_here(unsigned char c, char previous, bool key_context) {
    if (key_context) {
      return (c == '"' || c == '\'') &&
             (previous == '\n' || previous == '{' || previous == ',' || previous == '.' || previous == '[');
    }
    return previous == '=' || previous == '[' || previous == ',';
  }

  static bool ends_bare_value(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' || c == '#';
  }

  // A bare value (a number, a date, true, ...): toml++ reads on to the next whitespace, ',', ']',
  // '}' or '#' whatever comes, asking of each character whether it ends the value (`a = 0.5={"§"`
  // reaches #190's undefined behaviour on the '§').
  void skip_bare_value() {
    std::string characters;  // as toml++ counts them: underscores left out
    while (at_ < text_.size() && !ends_bare_value(byte(at_))) {
      if (byte(at_) >= 0x80) fail_non_ascii(at_, "in a value");
      if (byte(at_) != '_') characters += static_cast<char>(byte(at_));
      ++at_;
    }
    // toml++ reads a date, a space and a digit as the start of a date-time, and then assumes
    // (parse_value()) that the digit is not the last character of the value: `d = 2025-03-31 0`
    // at a line end is an assertion failure or undefined behaviour. It is never valid TOML.
    const bool date_like = characters.size() == 10 && characters[4] == '-' && characters[7] == '-';
    const auto is_digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
    if (date_like && byte(at_) == ' ' && is_digit(byte(at_ + 1)) && at_ + 2 < text_.size() &&
        ends_bare_value(byte(at_ + 2))) {
      fail(at_ + 1, "a date, a space and one digit: write the time in full (2025-03-31 07:32:00) or remove the digit");
    }
  }

  void check_structure() {
    std::vector<char> open;  // '[' (an array) and '{' (an inline table) open in a value
    bool key_context = true;               // a key may come next, not a value
    char previous = '\n';                 // the last character outside whitespace and comments
    bool value_expected_in_array = false;  // just after an array's '[' or a ','
    while (at_ < text_.size()) {
      const unsigned char c = byte(at_);
      if (c == '\n') {
        new_line(++at_);
        if (open.empty()) {
          key_context = true;
          previous = '\n';
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++at_;
        continue;
      }
      if (c == '#') {
        skip_comment();
        continue;
      }
      if (c >= 0x80) fail_non_ascii(at_, "outside a string or comment");
      // toml++ parses whatever follows an array's '[' or ',' as a value, assuming without a
      // check that it is not a '}' (parse_value(): an assertion or undefined behaviour).
      if (c == '}' && value_expected_in_array) fail(at_, "expected a value or ']' in this array, found '}'");
      value_expected_in_array = false;
      if (c == '[' && open.empty() && previous == '\n') {
        check_table_header();
        key_context = true;
        previous = '[';
        continue;
      }
      const bool opens = c == '"' || c == '\'' || (!key_context && (c == '[' || c == '{'));
      if (opens && !may_start_here(c, previous, key_context)) {
        fail(at_, "a string, array or inline table may only start a key or a value; this follows another");
      }
      if (!key_context && !opens && !ends_bare_value(c)) {
        skip_bare_value();
        previous = 'v';  // a value: nothing may start straight after it
        continue;
      }
      previous = static_cast<char>(c);
      if (c == '[' || c == '{') {
        open.push_back(static_cast<char>(c));
        key_context = c == '{';
        value_expected_in_array = c == '[';
        ++at_;
      } else if (c == ']' || c == '}') {
        if (!open.empty()) open.pop_back();
        key_context = false;
        previous = 'v';
        ++at_;
      } else if (c == ',') {
        key_context = !open.empty() && open.back() == '{';
        value_expected_in_array = !open.empty() && open.back() == '[';
        ++at_;
      } else if (c == '=') {
        key_context = false;
        ++at_;
      } else if (starts_with("\"\"\"")) {
        skip_multi_line_basic_string();
        previous = 'v';
      } else if (c == '"') {
        skip_basic_string();
        previous = 'v';
      } else if (starts_with("'''")) {
        skip_multi_line_literal_string();
        previous = 'v';
      } else if (c == '\'') {
        skip_literal_string();
        previous = 'v';
      } else {
        ++at_;
      }
    }
  }

  void skip_comment() {
    while (at_ < text_.size() && byte(at_) != '\n') ++at_;
  }

  void skip_basic_string() {
    ++at_;
    while (at_ < text_.size()) {
      const unsigned char c = byte(at_);
      if (c == '"') {
        ++at_;
        return;
      }
      if (c == '\n') return;  // unterminated: toml++ reports it
      if (c == '\\') {
        if (byte(at_ + 1) >= 0x80) fail_non_ascii(at_ + 1, "after a backslash");
        at_ += 2;
        continue;
      }
      ++at_;
    }
  }

  // A multi-line string ends at three quotes, of which up to two more may be part of it.
  bool at_closing_delimiter(char quote) {
    std::size_t run = 0;
    while (run < 5 && byte(at_ + run) == static_cast<unsigned char>(quote)) ++run;
    at_ += run;
    return run >= 3;
  }

  void skip_multi_line_basic_string() {
    at_ += 3;
    while (at_ < text_.size()) {
      const unsigned char c = byte(at_);
      if (c == '"') {
        if (at_closing_delimiter('"')) return;
        continue;
      }
      if (c == '\n') {
        new_line(++at_);
        continue;
      }
      if (c != '\\') {
        ++at_;
        continue;
      }
      // toml++ asks whether the character after a backslash is whitespace (#190, #295) ...
      const unsigned char escaped = byte(at_ + 1);
      if (escaped >= 0x80) fail_non_ascii(at_ + 1, "after a backslash");
      if (escaped != ' ' && escaped != '\t' && escaped != '\r' && escaped != '\n') {
        at_ += 2;
        continue;
      }
      // ... and, after a line-ending backslash, whether each character is whitespace until one
      // is not (#190).
      ++at_;
      while (at_ < text_.size()) {
        const unsigned char skipped = byte(at_);
        if (skipped == '\n') {
          new_line(++at_);
        } else if (skipped == ' ' || skipped == '\t' || skipped == '\r') {
          ++at_;
        } else {
          break;
        }
      }
      if (byte(at_) >= 0x80) fail_non_ascii(at_, "after a line-ending backslash");
    }
  }

  void skip_literal_string() {
    ++at_;
    while (at_ < text_.size()) {
      const unsigned char c = byte(at_);
      if (c == '\'') {
        ++at_;
        return;
      }
      if (c == '\n') return;  // unterminated: toml++ reports it
      ++at_;
    }
  }

  void skip_multi_line_literal_string() {
    at_ += 3;
    while (at_ < text_.size()) {
      const unsigned char c = byte(at_);
      if (c == '\'') {
        if (at_closing_delimiter('\'')) return;
        continue;
      }
      if (c == '\n') {
        new_line(++at_);
        continue;
      }
      ++at_;
    }
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t at_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
};

}  // namespace

void check_toml_text(std::string_view text, const std::string& file) { TextGuard(text, file).check(); }

}  // namespace carecast
