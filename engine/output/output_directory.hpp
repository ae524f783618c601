// Outputs appear complete or not at all, and never mixed with an earlier run's. Files are written
// into a staging folder beside the destination, and the whole folder is renamed into place only
// when every file is complete; a failure, or a SIGINT or SIGTERM (see signal_cleanup.hpp), removes
// the staging folder, so no half-written forecast is ever left for someone to pick up. A folder
// that already holds files is refused, unless the verb was told to replace it: then the new folder
// is swapped with the old one in a single rename, so a reader sees the old folder or the new one,
// never a new forecast.csv beside an old report.
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

// What to do with a destination folder that already holds files.
enum class ExistingOutput {
  refuse,   // InputError naming the option and what the folder holds (the default: nothing is lost)
  replace,  // the new folder takes the old one's place whole (--replace)
};

class StagedOutputDirectory {
 public:
  // Checks that `destination` can be written and makes the staging folder, without creating the
  // destination or any folder above it yet. Throws InputError naming `destination` and `option`
  // (the command-line option that gave it) if the destination exists and is not a folder, if it
  // holds files and `existing` is refuse, if a folder above it is a file, or if nothing can be
  // written there. Staging folders left by runs that were killed (whose process no longer exists)
  // are removed.
  explicit StagedOutputDirectory(std::filesystem::path destination, std::string option = "--out",
                                 ExistingOutput existing = ExistingOutput::refuse);
  ~StagedOutputDirectory();  // removes the staging folder unless committed
  StagedOutputDirectory(const StagedOutputDirectory&) = delete;
  StagedOutputDirectory& operator=(const StagedOutputDirectory&) = delete;

  // Writes one file into the staging folder through `write`; throws on any I/O error, naming the
  // file at its destination (the staging folder is an implementation detail).
  void write_file(const std::string& name, const std::function<void(std::ostream&)>& write);
  // For a verb that adds files to a folder it reads (report): the destination's current entries,
  // except the top-level names in `left_out`, go into the staging folder too (hard-linked, or
  // copied where links cannot be made), so the commit still swaps one complete folder.
  void carry_over_existing(const std::vector<std::string>& left_out);
  // Puts the staging folder in the destination's place (its folders above created if needed) by
  // one atomic rename, or an atomic exchange with the folder there, which is then removed.
  void commit();
  const std::filesystem::path& destination() const { return destination_; }
  // Where the files are until commit: a verb may read back what it staged (fit --pool-councils loads each
  // staged scenario). Beside the destination when the destination's parent folder exists.
  const std::filesystem::path& staging() const { return staging_; }

 private:
  std::filesystem::path destination_;
  std::string option_;
  ExistingOutput existing_;
  std::filesystem::path staging_;
  std::unique_ptr<RemoveOnSignal> remove_on_signal_;
  bool committed_ = false;
};

// The help text of every verb's --replace flag.
inline constexpr const char* kReplaceOptionHelp =
    "If --out already holds files, replace the whole folder (in one step, once the new one is complete) "
    "instead of refusing";

// For a verb whose output is a single file (calibrate's FILE.toml): throws InputError naming `file`
// and `option` if it is a folder or other non-regular file, if a folder above it is a file, or if
// nothing can be created in the folder that would hold it. Creates nothing that stays.
void require_writable_output_file(const std::filesystem::path& file, const std::string& option = "--out");

// For a verb whose output is a set of files (calibrate's FILE.toml and the starting groups beside
// it): unless `existing` is replace, throws InputError naming `option` and the first of `files`
// that exists, so an earlier output is never overwritten unasked.
void refuse_existing_output_files(const std::vector<std::filesystem::path>& files, const std::string& option,
                                  ExistingOutput existing);

// FNV-1a 64-bit hash of the bytes of the files, in order, as 16 hex digits: identifies the exact
// inputs of a run in run.json.
std::string content_hash(const std::vector<std::filesystem::path>& files);

}  // namespace carecast
