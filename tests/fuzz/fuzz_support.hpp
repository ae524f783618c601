// What the libFuzzer harnesses share: a scratch folder of their own per process, writing the fuzzed
// bytes into files (the readers take paths, and the engine is not changed for the harnesses), and
// the check that turns a broken promise into a finding.
//
// A harness treats carecast::InputError as the expected answer to bad input. Anything else is a
// finding: another exception escapes LLVMFuzzerTestOneInput and libFuzzer reports it as a crash
// (std::terminate), as it does sanitizer reports, assertions and failed require() checks.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace carecast::fuzz {

// A property the code under test promises but did not keep: print it and abort, so that libFuzzer
// saves the input.
inline void require(bool holds, const char* promise) {
  if (holds) return;
  std::fprintf(stderr, "carecast fuzz harness: broken promise: %s\n", promise);
  std::abort();
}

// One folder per process under $TMPDIR (libFuzzer's -jobs runs several processes at once), removed
// when the process exits normally. A crashing run leaves it behind, next to the crash input.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "carecast-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a scratch folder in $TMPDIR");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write the fuzz input to the scratch folder");
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace carecast::fuzz
