#include "output/progress.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace carecast {

namespace {
constexpr int kBarWidth = 30;
// Carriage return then "erase to end of line": the bar overwrites itself and leaves no trace.
constexpr const char* kClearLine = "\r\033[K";
}  // namespace

bool ProgressReporter::should_draw(std::FILE* stream) {
  const char* ci = std::getenv("CI");
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(stream)) == 1 && (ci == nullptr || *ci == '\0') &&
         (term == nullptr || std::strcmp(term, "dumb") != 0);
}

ProgressReporter::ProgressReporter(std::int64_t total, std::string label)
    : ProgressReporter(total, std::move(label), Options{}) {}

ProgressReporter::ProgressReporter(std::int64_t total, std::string label, Options options)
    : total_(std::max<std::int64_t>(total, 1)),
      label_(std::move(label)),
      options_(options),
      start_(Clock::now()),
      next_draw_((start_ + options_.delay).time_since_epoch().count()) {}

ProgressReporter::~ProgressReporter() { finish(); }

void ProgressReporter::advance(std::int64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (!options_.draw || finished_.load(std::memory_order_relaxed)) return;
  const Clock::time_point now = Clock::now();
  if (now.time_since_epoch().count() < next_draw_.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(drawing_, std::try_to_lock);
  if (!lock || finished_.load(std::memory_order_relaxed)) return;  // another thread is drawing
  next_draw_.store((now + options_.interval).time_since_epoch().count(), std::memory_order_relaxed);
  draw(now);
}

void ProgressReporter::draw(Clock::time_point now) {
  const std::int64_t done = std::min(this->done(), total_);
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = kClearLine + label_ + " [" + std::string(static_cast<std::size_t>(filled), '#') +
                     std::string(static_cast<std::size_t>(kBarWidth - filled), '.') + "] " +
                     std::to_string(static_cast<int>(fraction * 100)) + "% " + std::to_string(done) + "/" +
                     std::to_string(total_);
  if (done > 0 && done < total_) {
    const double left = elapsed * static_cast<double>(total_ - done) / static_cast<double>(done);
    line += ", about " + std::to_string(static_cast<long long>(left + 0.5)) + " s left";
  }
  std::fputs(line.c_str(), options_.stream);
  std::fflush(options_.stream);
  drawn_ = true;
}

void ProgressReporter::finish() {
  if (finished_.exchange(true)) return;
  const std::lock_guard lock(drawing_);
  if (!drawn_) return;
  std::fputs(kClearLine, options_.stream);
  std::fflush(options_.stream);
}

}  // namespace carecast
