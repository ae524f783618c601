// Small pieces of the text carecast writes, shared so that every file spells them alike.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace carecast {

// A paragraph as TOML `#` comment lines of at most about 100 characters, broken between words.
void write_toml_comment(std::ostream& out, std::string_view paragraph);

// `x` with exactly `decimals` digits after the point ("0.250" for 0.25 and 3), as the notes and comments
// carecast writes show their figures.
std::string fixed_decimals(double x, int decimals);

// A CSV field: as it is, or in double quotes (doubled inside) when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text);

// A TOML basic string: in double quotes, with quotes and backslashes escaped and control characters as \uXXXX.
std::string toml_string(std::string_view text);

// Text for a `#` comment line: control characters (which could end the comment and start a TOML line) as '?'.
std::string comment_text(std::string_view text);

}  // namespace carecast
