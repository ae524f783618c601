// What an interrupted carecast leaves behind: nothing. Staging folders, scratch folders and child
// processes (the chart scripts) are registered while they live; when SIGINT, SIGTERM or SIGHUP
// arrives, the registered folders are removed, the children are stopped, and the process exits
// with 128 + the signal number.
//
// The signals are blocked in every thread and taken by one thread waiting in sigwait, so the
// cleanup runs as ordinary code (no async-signal-safety limits) while the other threads are
// simply left where they are. Writing into, or moving out of, a registered folder holds
// FolderWriteGuard, so a folder is never removed half-way through a file or a commit.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <mutex>

namespace carecast {

// Blocks SIGINT, SIGTERM and SIGHUP and starts the thread that cleans up on them. Call once, at the
// start of main, before any other thread starts (threads inherit the blocked mask). Without it
// (as in the unit tests) registrations are kept but nothing acts on a signal.
void install_signal_cleanup();

// While alive, `path` (a folder or a file) is removed if a signal ends the process.
class RemoveOnSignal {
 public:
  explicit RemoveOnSignal(std::filesystem::path path);
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

 private:
  std::filesystem::path path_;
};

// While alive, the child process `pid` is sent SIGTERM if a signal ends the process (before the
// folders are removed, so it stops writing into them first).
class StopChildOnSignal {
 public:
  explicit StopChildOnSignal(pid_t pid);
  ~StopChildOnSignal();
  StopChildOnSignal(const StopChildOnSignal&) = delete;
  StopChildOnSignal& operator=(const StopChildOnSignal&) = delete;

 private:
  pid_t pid_;
};

// Held while files are written into or renamed out of a registered folder: the cleanup waits for
// it, so it never races a half-made file, and a commit in progress completes first.
std::unique_lock<std::mutex> hold_off_signal_cleanup();

// The signal mask a child process should start with: every signal unblocked. Call in the child
// between fork and exec (it is async-signal-safe).
void unblock_signals_in_child();

}  // namespace carecast
