#include "output/output_directory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "core/errors.hpp"
#include "output/signal_cleanup.hpp"

namespace carecast {
namespace fs = std::filesystem;

namespace {

// "out/", "out/." and "." all name a folder by a path whose last part is not its name; the staging
// folder is named after the real one.
fs::path folder_name_path(fs::path path) {
  path = path.lexically_normal();
  if (path.filename().empty() && path.has_parent_path()) path = path.parent_path();
  if (path.empty() || path.filename() == "." || path.filename() == "..") {
    path = fs::absolute(path).lexically_normal();
    if (path.filename().empty() && path.has_parent_path()) path = path.parent_path();
  }
  return path;
}

// The folder nearest to `path` (itself excluded) that exists: where a staging folder or a probe
// can be made without creating any folder the user did not have. Throws InputError if what
// exists there is not a folder (an --out under a regular file).
fs::path nearest_existing_folder(const fs::path& path, const InputLocation& where) {
  fs::path folder = path.parent_path();
  for (;;) {
    if (folder.empty()) folder = ".";
    std::error_code error;
    const fs::file_status status = fs::status(folder, error);
    if (fs::exists(status)) {
      if (!fs::is_directory(status)) throw InputError(where, folder.string() + " is not a folder, so nothing can be written under it");
      return folder;
    }
    if (error && error != std::errc::no_such_file_or_directory && error != std::errc::not_a_directory) {
      throw InputError(where, "cannot be written: " + folder.string() + ": " + error.message());
    }
    if (!folder.has_parent_path() || folder.parent_path() == folder) return folder;
    folder = folder.parent_path();
  }
}

// Whether the process `pid` no longer exists (a PID that exists, even another user's, counts as alive).
bool process_is_gone(long pid) {
  return pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Staging folders ".<leaf>.partial-<pid>" in `folder` whose process is gone were left by a run that
// was killed (SIGKILL leaves no chance to clean up): removed so they do not pile up.
void remove_stale_staging(const fs::path& folder, const std::string& leaf) {
  const std::string prefix = "." + leaf + ".partial-";
  std::error_code error;
  for (fs::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!process_is_gone(std::stol(digits))) continue;
    std::error_code ignored;
    if (fs::remove_all(entry->path(), ignored) != static_cast<std::uintmax_t>(-1)) {
      std::cerr << "note: removed " << entry->path().string() << ", left unfinished by a run that was stopped\n";
    }
  }
}

std::string reason(int error_number) { return std::strerror(error_number); }

// A few of the names a folder holds, for a message saying why it is refused ("forecast.csv,
// run.json and 3 more"); empty if it holds nothing.
std::string some_entries(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code error;
  for (fs::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error)) {
    names.push_back(entry->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  constexpr std::size_t kShown = 3;
  std::string text;
  for (std::size_t i = 0; i < std::min(names.size(), kShown); ++i) text += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > kShown) text += " and " + std::to_string(names.size() - kShown) + " more";
  return text;
}

void refuse_if_holding_files(const fs::path& folder, const InputLocation& where) {
  const std::string held = some_entries(folder);
  if (held.empty()) return;
  throw InputError(where, "already holds files (" + held +
                              "), which a new output would be mixed with: choose a new folder, or give --replace "
                              "to replace it whole");
}

// Hard links where the file system allows them (the staging folder is beside the original, so
// usually it does), copies otherwise: a carried-over forecast is not copied byte by byte.
void link_or_copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(from, error);
  if (fs::is_directory(status)) {
    fs::create_directory(to);
    for (const auto& entry : fs::directory_iterator(from)) {
      link_or_copy_tree(entry.path(), to / entry.path().filename());
    }
  } else if (fs::is_symlink(status)) {
    fs::copy_symlink(from, to);
  } else {
    fs::create_hard_link(from, to, error);
    if (error) fs::copy_file(from, to);
  }
}

// Moves `from` into the place of `to` in one step. An existing `to` (a folder) is exchanged with
// `from` and so ends up at `from`, for the caller to remove; where the file system cannot exchange
// (renameat2 is Linux's, and not every file system supports it) the old folder is first moved
// aside, leaving a moment with no folder but never a mixed one.
void swap_into_place(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno == EEXIST) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) == 0) return;
    if (errno != EINVAL && errno != ENOSYS) throw std::system_error(errno, std::generic_category());
    const fs::path aside = from.string() + "-old";
    fs::rename(to, aside);
    fs::rename(from, to);
    fs::rename(aside, from);
    return;
  }
  if (errno != EINVAL && errno != ENOSYS) throw std::system_error(errno, std::generic_category());
  fs::rename(from, to);  // replaces an empty folder; fails on one that is not
}

}  // namespace

StagedOutputDirectory::StagedOutputDirectory(fs::path destination, std::string option, ExistingOutput existing)
    : destination_(folder_name_path(std::move(destination))), option_(std::move(option)), existing_(existing) {
  const InputLocation where{destination_.string(), 0, 0, option_};
  const std::string leaf = destination_.filename().string();
  if (leaf.empty()) throw InputError(where, "is not a folder carecast can write into");
  std::error_code error;
  const fs::file_status status = fs::status(destination_, error);
  if (fs::exists(status) && !fs::is_directory(status)) throw InputError(where, "exists and is not a folder");
  if (fs::exists(status) && ::access(destination_.c_str(), W_OK | X_OK) != 0) {
    throw InputError(where, "cannot be written: " + reason(errno));
  }
  // A link would be swapped for a folder; the folder it names is what the user means.
  if (fs::is_symlink(fs::symlink_status(destination_, error))) destination_ = fs::canonical(destination_, error);
  if (existing_ == ExistingOutput::refuse && fs::exists(status)) refuse_if_holding_files(destination_, where);
  // The staging folder goes in the nearest folder that exists, so that nothing (not even the
  // destination's parent) is created before commit.
  const fs::path folder = nearest_existing_folder(destination_, where);
  remove_stale_staging(folder, leaf);
  staging_ = folder / ("." + leaf + ".partial-" + std::to_string(::getpid()));
  remove_on_signal_ = std::make_unique<RemoveOnSignal>(staging_);
  fs::remove_all(staging_, error);
  if (!fs::create_directory(staging_, error) || error) {
    throw InputError(where, "cannot be written: nothing can be created in " + folder.string() + " (" +
                                (error ? error.message() : std::string("the folder exists already")) + ")");
  }
}

StagedOutputDirectory::~StagedOutputDirectory() {
  if (committed_) return;
  const auto hold = hold_off_signal_cleanup();
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void StagedOutputDirectory::write_file(const std::string& name, const std::function<void(std::ostream&)>& write) {
  const auto hold = hold_off_signal_cleanup();
  const fs::path path = staging_ / name;
  const std::string shown = (destination_ / name).string() + " (" + option_ + ")";
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) throw std::runtime_error("cannot write " + shown + ": " + error.message());
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + shown + ": " + reason(errno));
  write(out);
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + shown + " (disk full?)");
}

void StagedOutputDirectory::carry_over_existing(const std::vector<std::string>& left_out) {
  const auto hold = hold_off_signal_cleanup();
  std::error_code error;
  if (!fs::is_directory(destination_, error)) return;
  for (const auto& entry : fs::directory_iterator(destination_)) {
    const std::string name = entry.path().filename().string();
    if (std::find(left_out.begin(), left_out.end(), name) != left_out.end()) continue;
    try {
      link_or_copy_tree(entry.path(), staging_ / name);
    } catch (const fs::filesystem_error& e) {
      throw std::runtime_error("cannot carry " + entry.path().string() + " into the new " + destination_.string() +
                               " (" + option_ + "): " + e.code().message());
    }
  }
}

void StagedOutputDirectory::commit() {
  const auto hold = hold_off_signal_cleanup();
  const std::string shown = destination_.string() + " (" + option_ + ")";
  std::error_code error;
  const fs::file_status old_status = fs::status(destination_, error);
  if (fs::exists(old_status)) {
    // Made while this verb worked: refused now as it would have been at the start.
    if (existing_ == ExistingOutput::refuse) {
      refuse_if_holding_files(destination_, {destination_.string(), 0, 0, option_});
    }
    // The new folder keeps the old one's permissions (a folder shared with a team stays shared).
    fs::permissions(staging_, old_status.permissions(), error);
  } else if (destination_.has_parent_path()) {  // a bare name ("rr") is made in the working folder
    fs::create_directories(destination_.parent_path(), error);
    if (error) throw std::runtime_error("cannot write " + shown + ": " + error.message());
  }
  try {
    swap_into_place(staging_, destination_);
  } catch (const std::system_error& e) {
    throw std::runtime_error("cannot write " + shown + ": " + e.code().message());
  }
  // The staging path now holds the old folder, if there was one; the destination is complete
  // whether or not the old one can be removed.
  fs::remove_all(staging_, error);
  committed_ = true;
}

void require_writable_output_file(const fs::path& file, const std::string& option) {
  const InputLocation where{file.string(), 0, 0, option};
  if (file.empty() || file.filename().empty()) throw InputError(where, "expected a file name");
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (fs::is_directory(status)) throw InputError(where, "is a folder: expected a file name");
  if (fs::exists(status) && !fs::is_regular_file(status)) throw InputError(where, "exists and is not a regular file");
  const fs::path folder = nearest_existing_folder(file, where);
  // Permission bits do not stop root, and read-only or virtual file systems (/proc) say no only
  // when asked: so make and remove a probe file.
  std::string probe = (folder / ".carecast-probe-XXXXXX").string();
  const int descriptor = ::mkstemp(probe.data());
  if (descriptor < 0) {
    throw InputError(where, "cannot be written: nothing can be created in " + folder.string() + " (" + reason(errno) + ")");
  }
  ::close(descriptor);
  ::unlink(probe.c_str());
}

void refuse_existing_output_files(const std::vector<fs::path>& files, const std::string& option,
                                  ExistingOutput existing) {
  if (existing == ExistingOutput::replace) return;
  for (const fs::path& file : files) {
    std::error_code error;
    if (!fs::exists(fs::symlink_status(file, error))) continue;
    throw InputError({files.front().string(), 0, 0, option},
                     file.filename().string() + " exists already: choose a new name, or give --replace to replace it");
  }
}

std::string content_hash(const std::vector<fs::path>& files) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
      hash ^= static_cast<unsigned char>(*it);
      hash *= 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace carecast
