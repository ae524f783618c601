// Outputs appear complete or not at all. Files are written into a staging folder beside the
// destination and moved into place only when every file is complete; a failure removes the
// staging folder, so no half-written forecast is ever left for someone to pick up.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace carecast {

class StagedOutputDirectory {
 public:
  explicit StagedOutputDirectory(std::filesystem::path destination);
  ~StagedOutputDirectory();  // removes the staging folder unless committed
  StagedOutputDirectory(const StagedOutputDirectory&) = delete;
  StagedOutputDirectory& operator=(const StagedOutputDirectory&) = delete;

  // Writes one file into the staging folder through `write`; throws on any I/O error.
  void write_file(const std::string& name, const std::function<void(std::ostream&)>& write);
  // Moves every staged file into the destination (created if needed), each by an atomic rename.
  void commit();
  const std::filesystem::path& destination() const { return destination_; }

 private:
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

// FNV-1a 64-bit hash of the bytes of the files, in order, as 16 hex digits: identifies the exact
// inputs of a run in run.json.
std::string content_hash(const std::vector<std::filesystem::path>& files);

}  // namespace carecast
