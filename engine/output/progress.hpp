// A progress bar on stderr for work that takes more than a moment: drawn only when stderr is a
// terminal (never into a pipe, a log or CI) and only once the work has run for about 2 seconds,
// so quick commands print nothing extra. Any thread may call advance(); redraws are throttled and
// the line is cleared when the work ends, leaving the terminal as it was.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace carecast {

class ProgressReporter {
 public:
  struct Options {
    std::FILE* stream = stderr;
    // Whether to draw at all; by default, when `stream` is a terminal, TERM is not "dumb" and the CI
    // environment variable is unset or empty.
    bool draw = should_draw(stderr);
    std::chrono::milliseconds delay{2000};    // no bar for work that ends sooner
    std::chrono::milliseconds interval{100};  // at most one redraw per interval
  };

  // `total` units of work (at least 1 is assumed), described by `label` ("Simulating").
  ProgressReporter(std::int64_t total, std::string label);
  ProgressReporter(std::int64_t total, std::string label, Options options);
  ~ProgressReporter();  // finish()
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Records n more units done. Thread-safe and cheap: an atomic add and a clock read; a redraw
  // happens only past the delay and interval, and never waits for another thread's redraw.
  void advance(std::int64_t n = 1);
  // Clears the bar's line if one was drawn. Idempotent; later advance() calls draw nothing.
  void finish();

  std::int64_t done() const { return done_.load(std::memory_order_relaxed); }

  static bool should_draw(std::FILE* stream);

 private:
  using Clock = std::chrono::steady_clock;
  void draw(Clock::time_point now);

  const std::int64_t total_;
  const std::string label_;
  const Options options_;
  const Clock::time_point start_;
  std::atomic<std::int64_t> done_{0};
  std::atomic<Clock::rep> next_draw_;  // earliest time of the next redraw, in Clock ticks
  std::atomic<bool> finished_{false};
  std::mutex drawing_;
  bool drawn_ = false;  // guarded by drawing_
};

}  // namespace carecast
