// Small pieces of the text carecast writes, shared so that every file spells them alike.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace carecast {

// A paragraph as TOML `#` comment lines of at most about 100 characters, broken between words.
void write_toml_comment(std::ostream& out, std::string_view paragraph);

// A CSV field: as it is, or in double quotes (doubled inside) when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text);

}  // namespace carecast
