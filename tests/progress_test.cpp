// Progress: silent when quiet and before the delay, a bar on a terminal (gone from the line when
// the work ends), a plain line now and then elsewhere, safe to advance from many threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "output/progress.hpp"

namespace carecast {
namespace {

std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
  return text;
}

constexpr std::chrono::milliseconds kNow{0};

TEST(ProgressReporter, PrintsNothingWhenQuiet) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(10, "Working", "runs", {stream, ProgressStyle::quiet, kNow, kNow, kNow});
    for (int i = 0; i < 10; ++i) progress.advance();
    EXPECT_EQ(progress.done(), 10);
  }
  EXPECT_EQ(contents(stream), "");
  std::fclose(stream);
}

TEST(ProgressReporter, PrintsLinesWhenStderrIsNotATerminalAndNothingWhenQuiet) {
  // ctest runs tests with stderr in a pipe or file, as CI does.
  EXPECT_EQ(ProgressReporter::style_for(stderr, false), ProgressStyle::lines);
  EXPECT_EQ(ProgressReporter::style_for(stderr, true), ProgressStyle::quiet);
}

TEST(ProgressReporter, LinesSayHowMuchIsDoneAndTheTimeLeftOncePerInterval) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(20000, "Simulating", "runs",
                              {stream, ProgressStyle::lines, kNow, kNow, std::chrono::hours(1)});
    progress.advance(5000);
    progress.advance(5000);  // within the line interval: no second line
  }
  const std::string text = contents(stream);
  EXPECT_EQ(text.rfind("Simulating: 5,000 of 20,000 runs (25%) after ", 0), 0u) << text;
  EXPECT_NE(text.find(" left\n"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "no terminal control in a log";
  std::fclose(stream);
}

TEST(ProgressReporter, DurationsReadAsAPersonSaysThem) {
  EXPECT_EQ(format_duration(0.4), "0 s");
  EXPECT_EQ(format_duration(45), "45 s");
  EXPECT_EQ(format_duration(200), "3 min 20 s");
  EXPECT_EQ(format_duration(120), "2 min");
  EXPECT_EQ(format_duration(3900), "1 h 05 min");
}

TEST(ProgressReporter, PrintsNothingBeforeTheDelay) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(10, "Working", "runs", {stream, ProgressStyle::bar, std::chrono::hours(1), kNow, kNow});
    progress.advance(5);
  }
  EXPECT_EQ(contents(stream), "");
  std::fclose(stream);
}

TEST(ProgressReporter, DrawsTheLabelAndShareDoneThenClearsItsLine) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(4, "Drawing charts", "charts", {stream, ProgressStyle::bar, kNow, kNow, kNow});
    progress.advance();
    progress.advance();
    const std::string drawn = contents(stream);
    EXPECT_NE(drawn.find("Drawing charts ["), std::string::npos) << drawn;
    EXPECT_NE(drawn.find("50% 2/4, about "), std::string::npos) << drawn;
    progress.finish();
  }
  const std::string text = contents(stream);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K") << "the line is cleared at the end";
  std::fclose(stream);
}

TEST(ProgressReporter, CountsEveryAdvanceFromManyThreads) {
  std::FILE* stream = std::tmpfile();
  ProgressReporter progress(40000, "Simulating", "runs", {stream, ProgressStyle::bar, kNow, kNow, kNow});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) progress.advance();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(progress.done(), 40000);
  progress.finish();
  const std::string text = contents(stream);
  EXPECT_NE(text.find("Simulating ["), std::string::npos);
  std::fclose(stream);
}

}  // namespace
}  // namespace carecast
