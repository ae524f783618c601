// Single files that appear complete or not at all, for verbs whose output is a set of files beside each other
// rather than a folder (calibrate's scenario and its starting groups, fit's scenario and its report): each is
// written under a temporary name beside its destination, and all are renamed into place, in the order written,
// only on commit. Anything not committed is removed, on an error (the destructor) or a SIGINT or SIGTERM
// (output/signal_cleanup.hpp).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace carecast {

class RemoveOnSignal;

class StagedFiles {
 public:
  StagedFiles();
  ~StagedFiles();  // removes every file written and not committed
  StagedFiles(const StagedFiles&) = delete;
  StagedFiles& operator=(const StagedFiles&) = delete;

  // Writes `text` to a temporary file beside `destination` and returns its path (so that what was written can be
  // checked, say loaded, before commit). Throws std::runtime_error if it cannot be created or written.
  std::filesystem::path write(const std::filesystem::path& destination, const std::string& text);
  // Renames every file written into place, in the order written.
  void commit();

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> files_;  // temporary, destination
  std::vector<std::unique_ptr<RemoveOnSignal>> on_signal_;
};

}  // namespace carecast
