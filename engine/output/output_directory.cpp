#include "output/output_directory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

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

}  // namespace

StagedOutputDirectory::StagedOutputDirectory(fs::path destination, std::string option)
    : destination_(folder_name_path(std::move(destination))), option_(std::move(option)) {
  const InputLocation where{destination_.string(), 0, 0, option_};
  const std::string leaf = destination_.filename().string();
  if (leaf.empty()) throw InputError(where, "is not a folder carecast can write into");
  std::error_code error;
  const fs::file_status status = fs::status(destination_, error);
  if (fs::exists(status) && !fs::is_directory(status)) throw InputError(where, "exists and is not a folder");
  if (fs::exists(status) && ::access(destination_.c_str(), W_OK | X_OK) != 0) {
    throw InputError(where, "cannot be written: " + reason(errno));
  }
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

void StagedOutputDirectory::commit() {
  const auto hold = hold_off_signal_cleanup();
  const std::string shown = destination_.string() + " (" + option_ + ")";
  std::error_code error;
  fs::create_directories(destination_, error);
  if (error) throw std::runtime_error("cannot write " + shown + ": " + error.message());
  for (const auto& entry : fs::recursive_directory_iterator(staging_)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = fs::relative(entry.path(), staging_);
    const fs::path target = destination_ / relative;
    fs::create_directories(target.parent_path(), error);
    if (!error) fs::rename(entry.path(), target, error);
    if (error) {
      throw std::runtime_error("cannot write " + target.string() + " (" + option_ + "): " + error.message());
    }
  }
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
