// The progress bar: silent unless drawing is on and the work has run past the delay, safe to
// advance from many threads, and gone from the terminal line when the work ends.
#include <gtest/gtest.h>

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

TEST(ProgressReporter, PrintsNothingWhenNotDrawing) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(10, "Working", {stream, false, std::chrono::milliseconds(0), std::chrono::milliseconds(0)});
    for (int i = 0; i < 10; ++i) progress.advance();
    EXPECT_EQ(progress.done(), 10);
  }
  EXPECT_EQ(contents(stream), "");
  std::fclose(stream);
}

TEST(ProgressReporter, IsQuietWhenStderrIsNotATerminal) {
  // ctest runs tests with stderr in a pipe or file, as CI does.
  EXPECT_FALSE(ProgressReporter::should_draw(stderr));
}

TEST(ProgressReporter, PrintsNothingBeforeTheDelay) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(10, "Working", {stream, true, std::chrono::hours(1), std::chrono::milliseconds(0)});
    progress.advance(5);
  }
  EXPECT_EQ(contents(stream), "");
  std::fclose(stream);
}

TEST(ProgressReporter, DrawsTheLabelAndShareDoneThenClearsItsLine) {
  std::FILE* stream = std::tmpfile();
  {
    ProgressReporter progress(4, "Drawing charts",
                              {stream, true, std::chrono::milliseconds(0), std::chrono::milliseconds(0)});
    progress.advance();
    progress.advance();
    const std::string drawn = contents(stream);
    EXPECT_NE(drawn.find("Drawing charts ["), std::string::npos) << drawn;
    EXPECT_NE(drawn.find("50% 2/4"), std::string::npos) << drawn;
    progress.finish();
  }
  const std::string text = contents(stream);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K") << "the line is cleared at the end";
  std::fclose(stream);
}

TEST(ProgressReporter, CountsEveryAdvanceFromManyThreads) {
  std::FILE* stream = std::tmpfile();
  ProgressReporter progress(40000, "Simulating", {stream, true, std::chrono::milliseconds(0), std::chrono::milliseconds(0)});
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
