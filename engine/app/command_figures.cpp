// `carecast figures FILE`: checks a published-figures file and says what it gives, by metric and
// collection year, so that a user can validate a file before anything is fitted to it.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "app/commands.hpp"
#include "history/published_figures.hpp"

namespace carecast::app {
namespace {

struct FiguresCommand {
  std::string file;
};

std::string collection_year(int year_ending) {
  std::ostringstream label;
  label << year_ending - 1 << '-' << std::setw(2) << std::setfill('0') << year_ending % 100;
  return label.str();
}

std::string span_of(const FiguresSummaryRow& row) {
  if (row.first == row.last) return format_iso(row.last);
  return format_iso(row.first) + " to " + format_iso(row.last);
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text.append(text.empty() ? "" : ", ").append(name);
  return text;
}

void execute(const FiguresCommand& command) {
  const PublishedFigures figures = read_published_figures(command.file);
  const std::vector<FiguresSummaryRow> rows = summarise_figures(figures);
  std::cout << figures.file << ": " << figures.figures.size() << " figures, " << format_iso(figures.first_day)
            << " to " << format_iso(figures.last_day)
            << ". Collection years run 1 April to 31 March; flows count from period_start to date inclusive, stocks "
               "and stability are at the end of date.\n\n";

  std::size_t metric_width = std::string_view("metric").size();
  for (const FiguresSummaryRow& row : rows) metric_width = std::max(metric_width, name_of(row.metric).size());
  const auto line = [&](std::string_view metric, std::string_view year, std::string_view count,
                        std::string_view covering, std::string_view categories) {
    std::cout << std::left << std::setw(static_cast<int>(metric_width) + 2) << metric << std::setw(9) << year
              << std::right << std::setw(7) << count << "  " << std::left << std::setw(26) << covering << categories
              << "\n";
  };
  line("metric", "year", "figures", "dates", "categories");
  for (const FiguresSummaryRow& row : rows) {
    line(name_of(row.metric), collection_year(row.year_ending), std::to_string(row.figures), span_of(row),
         joined(row.categories));
  }
  const std::vector<FiguresConflict> conflicts = find_conflicts(figures);
  if (!conflicts.empty()) std::cout << "\n";
  for (const FiguresConflict& conflict : conflicts) {
    std::cout << "Note: " << figures.file << ":" << conflict.line << ": " << conflict.problem
              << " (accepted: publications can disagree; a fit cannot match both)\n";
  }
}

}  // namespace

void setup_figures(CLI::App& app) {
  auto command = std::make_shared<FiguresCommand>();
  CLI::App* figures = app.add_subcommand(
      "figures", "Check a published-figures file (metric,category,period_start,date,value) and summarise it by "
                 "metric and collection year");
  // Not CLI::ExistingFile: the reader refuses a missing file, a folder or a FIFO by name with exit 2.
  figures->add_option("file", command->file, "Published-figures CSV")->required();
  figures->callback([command] { execute(*command); });
}

}  // namespace carecast::app
