#include "core/input_files.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include "core/errors.hpp"

namespace carecast {
namespace fs = std::filesystem;

void require_regular_file(const fs::path& file) {
  const InputLocation where{file.string(), 0, 0, {}};
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (error || status.type() == fs::file_type::not_found) {
    throw InputError(where, status.type() == fs::file_type::not_found ? "no such file" : "cannot be examined");
  }
  switch (status.type()) {
    case fs::file_type::regular:
      break;
    case fs::file_type::directory:
      throw InputError(where, "is a directory, not a file");
    case fs::file_type::fifo:
      throw InputError(where, "is a FIFO (named pipe), not a regular file");
    case fs::file_type::character:
    case fs::file_type::block:
      throw InputError(where, "is a device, not a regular file");
    case fs::file_type::socket:
      throw InputError(where, "is a socket, not a regular file");
    default:
      throw InputError(where, "is not a regular file");
  }
  const std::uintmax_t size = fs::file_size(file, error);
  if (error) throw InputError(where, "cannot be examined");
  if (size > kMaxInputFileBytes) throw InputError(where, "is larger than 1 GiB: not an input carecast reads");
}

std::string read_input_file(const fs::path& file) {
  require_regular_file(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError({file.string(), 0, 0, {}}, "cannot be read (permission denied?)");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError({file.string(), 0, 0, {}}, "could not be read to the end");
  return text;
}

}  // namespace carecast
