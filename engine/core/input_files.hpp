// Opening what a user names as an input file. Only regular files are read: a FIFO would block
// for ever, a directory or a device is never what was meant. Sizes are bounded so that a wrong
// file (a disk image, a log) is refused at once instead of being read into memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace carecast {

// Largest input file carecast reads (1 GiB): far above any council's SSDA903 extract.
inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{1} << 30;

// Throws InputError naming `file` if it does not exist, is a directory, a FIFO, a device or a
// socket, cannot be read, or is larger than kMaxInputFileBytes. Symbolic links are followed.
void require_regular_file(const std::filesystem::path& file);

// The whole file as bytes, after require_regular_file. Throws InputError on a read failure.
std::string read_input_file(const std::filesystem::path& file);

}  // namespace carecast
