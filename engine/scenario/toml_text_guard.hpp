// Checks a scenario's text before toml++ parses it.
//
// toml++ 3.3.0 (Debian's, which carecast builds against) has defects that malformed or non-ASCII
// input reaches, all fixed upstream only after 3.3.0:
//   - marzer/tomlplusplus#190 and #295: is_non_ascii_horizontal_whitespace() reaches
//     TOML_UNREACHABLE (undefined behaviour) for the code points U+00A1-U+0499, U+2C5E-U+2FFF,
//     U+3001-U+3057 and U+FB26-U+FEFE. The parser asks that question of a non-ASCII
//     character wherever whitespace may occur: anywhere outside strings and comments (#295:
//     the two bytes CC AA, U+032A), after a backslash in a multi-line basic string, and on the
//     first character after a line-ending backslash (#190: `s = """\` then `§"""`).
//   - marzer/tomlplusplus#294: a table header whose '[' (or '[[') is followed by anything but a
//     key (`[&`, `[#`, `[` at the end of a line) breaks an assumption in parse_key(): an
//     assertion failure in builds with assertions, undefined behaviour in release builds.
//   - Found while testing this guard (random edits of the shipped scenarios, toml++ built with
//     assertions and UBSan): parse_value() assumes that what follows an array's '[' or ',' is not
//     a value terminator, but a '}' there (`a = [}`, `a = [1,` then `}`) breaks the assumption:
//     an assertion failure, or undefined behaviour where assumptions are compiled in.
// The check refuses all of these, and more strictly whatever TOML forbids anyway near them:
// invalid UTF-8 (overlong forms, surrogates, code points above U+10FFFF, cut-off sequences),
// control characters other than tab, line feed and a carriage return before a line feed
// (C1 controls U+0080-U+009F included), and any non-ASCII character outside strings and comments
// (TOML 1.0 keys and values are ASCII). A UTF-8 byte order mark at the very start is allowed.
// Scenario text is also limited to 16 MiB: a calibrated scenario is well under 1 MiB.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace carecast {

inline constexpr std::size_t kMaxScenarioBytes = std::size_t{16} << 20;

// Throws InputError naming `file`, the line and the column (in characters, as toml++ counts
// them) of the first problem found. Quotes no part of the text.
void check_toml_text(std::string_view text, const std::string& file);

}  // namespace carecast
