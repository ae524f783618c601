#include "output/staged_files.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "output/signal_cleanup.hpp"

namespace carecast {

namespace fs = std::filesystem;

StagedFiles::StagedFiles() = default;

StagedFiles::~StagedFiles() {
  for (const auto& [temporary, destination] : files_) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
  }
}

fs::path StagedFiles::write(const fs::path& destination, const std::string& text) {
  fs::path temporary = destination;
  temporary += ".partial-" + std::to_string(::getpid());
  files_.emplace_back(temporary, destination);
  on_signal_.push_back(std::make_unique<RemoveOnSignal>(temporary));
  const auto writing = hold_off_signal_cleanup();
  std::ofstream out(temporary, std::ios::binary);
  if (!out) throw std::runtime_error("cannot create " + temporary.string());
  out << text;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + temporary.string());
  return temporary;
}

void StagedFiles::commit() {
  const auto committing = hold_off_signal_cleanup();
  for (const auto& [temporary, destination] : files_) fs::rename(temporary, destination);
  files_.clear();
  on_signal_.clear();
}

}  // namespace carecast
