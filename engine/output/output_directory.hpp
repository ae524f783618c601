// Outputs appear complete or not at all. Files are written into a staging folder beside the
// destination and moved into place only when every file is complete; a failure, or a SIGINT or
// SIGTERM (see signal_cleanup.hpp), removes the staging folder, so no half-written forecast is
// ever left for someone to pick up.
//
// The destination is checked when the StagedOutputDirectory is made, so a verb that makes it
// before its work learns of an unwritable --out at once, not after an hour of simulation.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace carecast {

class RemoveOnSignal;

class StagedOutputDirectory {
 public:
  // Checks that `destination` can be written and makes the staging folder, without creating the
  // destination or any folder above it yet. Throws InputError naming `destination` and `option`
  // (the command-line option that gave it) if the destination exists and is not a folder, if a
  // folder above it is a file, or if nothing can be written there. Staging folders left by runs
  // that were killed (whose process no longer exists) are removed.
  explicit StagedOutputDirectory(std::filesystem::path destination, std::string option = "--out");
  ~StagedOutputDirectory();  // removes the staging folder unless committed
  StagedOutputDirectory(const StagedOutputDirectory&) = delete;
  StagedOutputDirectory& operator=(const StagedOutputDirectory&) = delete;

  // Writes one file into the staging folder through `write`; throws on any I/O error, naming the
  // file at its destination (the staging folder is an implementation detail).
  void write_file(const std::string& name, const std::function<void(std::ostream&)>& write);
  // Moves every staged file into the destination (created if needed), each by an atomic rename.
  void commit();
  const std::filesystem::path& destination() const { return destination_; }

 private:
  std::filesystem::path destination_;
  std::string option_;
  std::filesystem::path staging_;
  std::unique_ptr<RemoveOnSignal> remove_on_signal_;
  bool committed_ = false;
};

// For a verb whose output is a single file (calibrate's FILE.toml): throws InputError naming `file`
// and `option` if it is a folder or other non-regular file, if a folder above it is a file, or if
// nothing can be created in the folder that would hold it. Creates nothing that stays.
void require_writable_output_file(const std::filesystem::path& file, const std::string& option = "--out");

// FNV-1a 64-bit hash of the bytes of the files, in order, as 16 hex digits: identifies the exact
// inputs of a run in run.json.
std::string content_hash(const std::vector<std::filesystem::path>& files);

}  // namespace carecast
