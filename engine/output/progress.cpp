#include "output/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace carecast {

namespace {
constexpr int kBarWidth = 30;
// Carriage return then "erase to end of line": the bar overwrites itself and leaves no trace.
constexpr const char* kClearLine = "\r\033[K";

// "20,000": counts of runs read more easily grouped.
std::string grouped(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}
}  // namespace

std::string format_duration(double seconds) {
  const long long whole = std::llround(std::max(0.0, seconds));
  char text[64];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%lld s", whole);
  } else if (whole < 3600 && whole % 60 == 0) {
    std::snprintf(text, sizeof text, "%lld min", whole / 60);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lld min %lld s", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld h %02lld min", whole / 3600, (whole % 3600) / 60);
  }
  return text;
}

ProgressStyle ProgressReporter::style_for(std::FILE* stream, bool quiet) {
  if (quiet) return ProgressStyle::quiet;
  const char* ci = std::getenv("CI");
  const char* term = std::getenv("TERM");
  const bool terminal = ::isatty(::fileno(stream)) == 1 && (ci == nullptr || *ci == '\0') &&
                        (term == nullptr || std::strcmp(term, "dumb") != 0);
  return terminal ? ProgressStyle::bar : ProgressStyle::lines;
}

ProgressReporter::Options ProgressReporter::for_stderr(bool quiet) {
  Options options;
  options.style = style_for(stderr, quiet);
  if (const char* text = std::getenv("CARECAST_PROGRESS_SECONDS"); text != nullptr && *text != '\0') {
    char* end = nullptr;
    const double seconds = std::strtod(text, &end);
    if (end != text && *end == '\0' && seconds >= 0 && seconds < 1e6) {
      const std::chrono::milliseconds interval{static_cast<long long>(seconds * 1000)};
      options.delay = interval;
      options.line_interval = interval;
    }
  }
  return options;
}

ProgressReporter::ProgressReporter(std::int64_t total, std::string label, std::string unit)
    : ProgressReporter(total, std::move(label), std::move(unit), Options{}) {}

ProgressReporter::ProgressReporter(std::int64_t total, std::string label, std::string unit, Options options)
    : total_(std::max<std::int64_t>(total, 1)),
      label_(std::move(label)),
      unit_(std::move(unit)),
      options_(options),
      start_(Clock::now()),
      next_print_((start_ + options_.delay).time_since_epoch().count()) {}

ProgressReporter::~ProgressReporter() { finish(); }

void ProgressReporter::advance(std::int64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (options_.style == ProgressStyle::quiet || finished_.load(std::memory_order_relaxed)) return;
  const Clock::time_point now = Clock::now();
  if (now.time_since_epoch().count() < next_print_.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(printing_, std::try_to_lock);
  if (!lock || finished_.load(std::memory_order_relaxed)) return;  // another thread is printing
  const auto interval = options_.style == ProgressStyle::bar ? options_.interval : options_.line_interval;
  next_print_.store((now + interval).time_since_epoch().count(), std::memory_order_relaxed);
  print(now);
}

std::string ProgressReporter::time_left(double elapsed, std::int64_t done) const {
  if (done <= 0 || done >= total_) return "";
  return ", about " + format_duration(elapsed * static_cast<double>(total_ - done) / static_cast<double>(done)) +
         " left";
}

void ProgressReporter::print(Clock::time_point now) {
  const std::int64_t done = std::min(this->done(), total_);
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string percent = std::to_string(static_cast<int>(fraction * 100)) + "%";
  std::string line;
  if (options_.style == ProgressStyle::bar) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    line = kClearLine + label_ + " [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(kBarWidth - filled), '.') + "] " + percent + " " +
           std::to_string(done) + "/" + std::to_string(total_) + time_left(elapsed, done);
    drawn_ = true;
  } else {
    line = label_ + ": " + grouped(done) + " of " + grouped(total_) + (unit_.empty() ? "" : " " + unit_) + " (" +
           percent + ") after " + format_duration(elapsed) + time_left(elapsed, done) + "\n";
  }
  std::fputs(line.c_str(), options_.stream);
  std::fflush(options_.stream);
}

void ProgressReporter::finish() {
  if (finished_.exchange(true)) return;
  const std::lock_guard lock(printing_);
  if (!drawn_) return;
  std::fputs(kClearLine, options_.stream);
  std::fflush(options_.stream);
}

}  // namespace carecast
