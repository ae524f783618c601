// Progress on stderr for work that takes more than a moment, so a long run is never silent:
//   - on a terminal, a bar with the share done and an estimate of the time left, redrawn in place
//     and cleared when the work ends, leaving the terminal as it was;
//   - otherwise (a pipe, a log, CI), one plain line every few seconds, which a log keeps readable;
//   - with --quiet, nothing.
// Nothing is printed for work that ends within the first couple of seconds, so quick commands
// print nothing extra. Any thread may call advance(); output is throttled.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace carecast {

enum class ProgressStyle {
  bar,    // redrawn in place: a terminal
  lines,  // a line now and then: a pipe or a log
  quiet,  // nothing
};

class ProgressReporter {
 public:
  struct Options {
    std::FILE* stream = stderr;
    ProgressStyle style = style_for(stderr, false);
    std::chrono::milliseconds delay{2000};     // nothing for work that ends sooner
    std::chrono::milliseconds interval{100};   // at most one redraw of the bar per interval
    std::chrono::milliseconds line_interval{5000};  // at most one line per line_interval
  };

  // `total` units of work (at least 1 is assumed) of `unit` ("runs"), described by `label`
  // ("Simulating").
  ProgressReporter(std::int64_t total, std::string label, std::string unit = "");
  ProgressReporter(std::int64_t total, std::string label, std::string unit, Options options);
  ~ProgressReporter();  // finish()
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Records n more units done. Thread-safe and cheap: an atomic add and a clock read; output
  // happens only past the delay and interval, and never waits for another thread's.
  void advance(std::int64_t n = 1);
  // Clears the bar's line if one was drawn. Idempotent; later advance() calls print nothing.
  void finish();

  std::int64_t done() const { return done_.load(std::memory_order_relaxed); }

  // Options for stderr in the style style_for(stderr, quiet) gives. CARECAST_PROGRESS_SECONDS, if
  // set, replaces the delay and the seconds between lines (a log that wants more or fewer lines).
  static Options for_stderr(bool quiet);

  // quiet if asked; else a bar when `stream` is a terminal, TERM is not "dumb" and the CI
  // environment variable is unset or empty; else lines.
  static ProgressStyle style_for(std::FILE* stream, bool quiet);

 private:
  using Clock = std::chrono::steady_clock;
  void print(Clock::time_point now);
  std::string time_left(double elapsed_seconds, std::int64_t done) const;

  const std::int64_t total_;
  const std::string label_;
  const std::string unit_;
  const Options options_;
  const Clock::time_point start_;
  std::atomic<std::int64_t> done_{0};
  std::atomic<Clock::rep> next_print_;  // earliest time of the next output, in Clock ticks
  std::atomic<bool> finished_{false};
  std::mutex printing_;
  bool drawn_ = false;  // a bar is on the line; guarded by printing_
};

// The help text of every verb's --quiet flag.
inline constexpr const char* kQuietOptionHelp =
    "Print no progress on stderr (by default a bar on a terminal, else a line every few seconds)";

// "45 s", "3 min 20 s", "1 h 05 min": a duration as a person reads it.
std::string format_duration(double seconds);

}  // namespace carecast
