#include "output/signal_cleanup.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Lock order: write_mutex before registry_mutex. The cleanup thread takes both and never gives
// them back, so once it has started nothing else registers, writes or commits.
struct Registry {
  std::mutex write_mutex;
  std::mutex registry_mutex;
  std::vector<fs::path> paths;
  std::vector<pid_t> children;
};

Registry& registry() {
  // Never destroyed: the cleanup thread may use it while the main thread runs static destructors.
  static Registry* const instance = new Registry;
  return *instance;
}

sigset_t cleanup_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : kCleanupSignals) sigaddset(&set, signal);
  return set;
}

[[noreturn]] void clean_up_and_exit(int signal) {
  Registry& state = registry();
  state.write_mutex.lock();
  state.registry_mutex.lock();
  for (const pid_t child : state.children) ::kill(child, SIGTERM);
  for (const pid_t child : state.children) {
    // Give a child a moment to stop before removing the folder it writes into.
    for (int wait = 0; wait < 50 && ::kill(child, 0) == 0; ++wait) ::usleep(10'000);
  }
  // Newest first: a scratch folder made inside a staging folder goes before its parent.
  for (auto path = state.paths.rbegin(); path != state.paths.rend(); ++path) {
    std::error_code ignored;
    fs::remove_all(*path, ignored);
  }
  const std::string message = std::string("carecast: stopped by ") + ::strsignal(signal) +
                              (state.paths.empty() ? std::string() : "; unfinished output removed") + "\n";
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, message.data(), message.size());
  ::_exit(128 + signal);
}

}  // namespace

void install_signal_cleanup() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    const sigset_t set = cleanup_signal_set();
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      int signal = 0;
      while (::sigwait(&set, &signal) != 0) {
      }
      clean_up_and_exit(signal);
    }).detach();
  });
}

RemoveOnSignal::RemoveOnSignal(fs::path path) : path_(std::move(path)) {
  Registry& state = registry();
  const std::lock_guard lock(state.registry_mutex);
  state.paths.push_back(path_);
}

RemoveOnSignal::~RemoveOnSignal() {
  Registry& state = registry();
  const std::lock_guard lock(state.registry_mutex);
  const auto found = std::find(state.paths.rbegin(), state.paths.rend(), path_);
  if (found != state.paths.rend()) state.paths.erase(std::next(found).base());
}

StopChildOnSignal::StopChildOnSignal(pid_t pid) : pid_(pid) {
  Registry& state = registry();
  const std::lock_guard lock(state.registry_mutex);
  state.children.push_back(pid_);
}

StopChildOnSignal::~StopChildOnSignal() {
  Registry& state = registry();
  const std::lock_guard lock(state.registry_mutex);
  std::erase(state.children, pid_);
}

std::unique_lock<std::mutex> hold_off_signal_cleanup() { return std::unique_lock(registry().write_mutex); }

void unblock_signals_in_child() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // async-signal-safe, unlike pthread_sigmask
}

}  // namespace carecast
