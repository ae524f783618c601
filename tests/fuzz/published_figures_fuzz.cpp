// libFuzzer harness for read_published_figures (engine/history/published_figures.hpp): the fuzzed
// bytes are a figures file, which an analyst writes by hand from annual reports. Either the reader
// refuses it with an InputError, or every figure it returns keeps the file format's promises: a
// known metric with a category that metric may have, a stock without a period and a flow with one
// that does not end before it starts, a finite value that is a whole count or a percentage from 0
// to 100, no two figures alike, and a span that covers them all.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "history/published_figures.hpp"

namespace {

using carecast::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = carecast::fuzz::scratch_dir() / "figures.csv";
  carecast::fuzz::write_file(file, carecast::fuzz::as_text(data, size));
  try {
    const carecast::PublishedFigures read = carecast::read_published_figures(file);
    require(!read.figures.empty(), "a file read holds at least one figure");
    require(read.first_day <= read.last_day, "the span does not end before it starts");
    std::set<std::tuple<int, carecast::FigureCategory, bool, carecast::Date, carecast::Date>> seen;
    for (const carecast::PublishedFigure& f : read.figures) {
      require(carecast::category_allowed(f.metric, f.category), "every category is one its metric may have");
      require(carecast::is_flow(f.metric) == f.period_start.has_value(), "flows have a period, stocks none");
      if (f.period_start) require(*f.period_start <= f.date, "no period ends before it starts");
      require(std::isfinite(f.value) && f.value >= 0, "values are finite and not negative");
      if (carecast::is_percentage(f.metric)) {
        require(f.value <= 100, "percentages are at most 100");
      } else {
        require(f.value == std::floor(f.value), "counts are whole");
      }
      require(read.first_day <= f.period_start.value_or(f.date) && f.date <= read.last_day,
              "the span covers every figure");
      require(f.line >= 2, "every figure names a line after the header");
      const bool inserted = seen
                                .emplace(static_cast<int>(f.metric), f.category, f.period_start.has_value(),
                                         f.period_start.value_or(f.date), f.date)
                                .second;
      require(inserted, "no two figures share metric, category, period and date");
    }
  } catch (const carecast::InputError& error) {
    require(!error.where().file.empty(), "a refusal names the file");
  }
  return 0;
}
