#include "output/written_text.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace carecast {

std::string fixed_decimals(double x, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << x;
  return text.str();
}

void write_toml_comment(std::ostream& out, std::string_view paragraph) {
  constexpr std::size_t kWidth = 98;
  std::size_t line_length = 1;
  out << '#';
  for (std::size_t at = 0; at < paragraph.size();) {
    const std::size_t space = std::min(paragraph.find(' ', at), paragraph.size());
    const std::string_view word = paragraph.substr(at, space - at);
    if (line_length > 1 && line_length + 1 + word.size() > kWidth) {
      out << "\n#";
      line_length = 1;
    }
    out << ' ' << word;
    line_length += 1 + word.size();
    at = space + 1;
  }
  out << '\n';
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string comment_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

}  // namespace carecast
