#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "output/backtest_report.hpp"
#include "output/figures_backtest_report.hpp"
#include "output/figures_backtest_writer.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "output/report_assumptions.hpp"
#include "output/report_charts.hpp"
#include "output/report_disclosure.hpp"
#include "output/report_finance.hpp"
#include "output/report_html.hpp"
#include "output/report_inputs.hpp"
#include "output/report_key_figures.hpp"
#include "output/report_labels.hpp"
#include "output/report_options.hpp"
#include "output/report_region.hpp"
#include "output/report_workbook.hpp"
#include "output/signal_cleanup.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;
using namespace carecast::report;

struct ReportCommand {
  std::string folder;
  bool publish = false;
};

constexpr std::string_view kScratchPrefix = "carecast-report-";
// The published pack's folder, inside the run folder: handing it out hands out nothing
// unpublished, and publishing never overwrites the full report beside it.
constexpr const char* kPublishedFolder = "published";

// Scratch folders of reports that were killed (SIGKILL gives no chance to clean up): those whose
// process no longer exists.
void remove_stale_scratch_folders() {
  std::error_code error;
  for (fs::directory_iterator entry(fs::temp_directory_path(), error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (!name.starts_with(kScratchPrefix)) continue;
    const std::size_t dash = name.find('-', kScratchPrefix.size());
    const std::string digits = name.substr(kScratchPrefix.size(), dash - kScratchPrefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove_all(entry->path(), ignored);
  }
}

// A scratch folder for the charts' input and output, removed however the command ends, a SIGINT
// or SIGTERM included.
class ScratchFolder {
 public:
  ScratchFolder()
      : path_(fs::temp_directory_path() /
              (std::string(kScratchPrefix) + std::to_string(::getpid()) + "-" +
               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))),
        remove_on_signal_(path_) {
    remove_stale_scratch_folders();
    fs::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  RemoveOnSignal remove_on_signal_;
};

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// run.json gives the scenario path as it was given to `carecast run`: relative to where that was
// run, which is usually where the report is run too; failing that, relative to the run folder.
fs::path locate_scenario(const ReportInputs& inputs) {
  const fs::path given(inputs.run.scenario_path);
  if (fs::exists(given)) return given;
  if (given.is_relative() && fs::exists(inputs.folder / given)) return inputs.folder / given;
  throw InputError({inputs.run_json.string(), 0, 0, "scenario_path"},
                   "names " + given.string() + ", which cannot be found: the report's assumptions come from it");
}

// "out/" and "out/." both mean the folder out: StagedOutputDirectory needs its real name.
fs::path folder_path(const std::string& text) {
  fs::path path = fs::absolute(text).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path;
}

std::string today() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return format_long_date(Date{now});
}

// A backtest from published figures (`backtest --figures`): its charts, one per scored figure, and
// a page of its scores, added to the folder as a run folder's report is.
void execute_figures_backtest(const fs::path& folder, bool publish) {
  if (publish) {
    throw InputError({folder.string(), 0, 0, "--publish"},
                     "a backtest from published figures holds only published figures and forecasts of them: report "
                     "it without --publish");
  }
  StagedOutputDirectory out(folder, "folder", ExistingOutput::replace);
  out.carry_over_existing({"report.html", "charts"});
  const ScratchFolder scratch;
  const fs::path charts_folder = scratch.path() / "charts";
  const std::vector<DrawnChart> charts = draw_charts(plots_folder(), folder, charts_folder, "", "figures_backtest.py");
  FiguresBacktestPage page{today(), folder / kFiguresBacktestCsv, folder / kFiguresBacktestSummaryCsv, {}, {}};
  for (const DrawnChart& chart : charts) {
    if (chart.skipped.empty()) {
      page.charts.push_back({chart.title, chart.caption, read_bytes(charts_folder / (chart.stem + ".png"))});
    } else {
      page.left_out.push_back({chart.title, chart.skipped});
    }
  }
  const std::string html = render_figures_backtest_html(page);
  out.write_file("report.html", [&](std::ostream& s) { s << html; });
  for (const auto& entry : fs::directory_iterator(charts_folder)) {
    const std::string name = entry.path().filename().string();
    out.write_file("charts/" + name, [&](std::ostream& s) { s << read_bytes(entry.path()); });
  }
  out.commit();
  std::cout << "Wrote " << page.charts.size() << " charts of scored figures in " << (folder / "charts").string()
            << " (PNG, SVG, PDF).\nBacktest report: " << (folder / "report.html").string() << "\n";
}

// A backtest from SSDA903 returns (`backtest`): "how well has this model forecast before?", its
// scores in words and by category, and the forecast bands against what happened.
void execute_backtest(const fs::path& folder, bool publish) {
  if (publish) {
    // Its rows hold the recorded counts of every month, small categories included: nothing here has
    // been through disclosure control.
    throw InputError({folder.string(), 0, 0, "--publish"},
                     "a backtest holds recorded counts by month, which disclosure control has not been applied to: "
                     "report it without --publish, for internal use");
  }
  StagedOutputDirectory out(folder, "folder", ExistingOutput::replace);
  out.carry_over_existing({"report.html", "charts"});
  const ScratchFolder scratch;
  const fs::path charts_folder = scratch.path() / "charts";
  const fs::path plots = plots_folder();
  const std::vector<DrawnChart> charts = draw_charts(plots, folder, charts_folder, "", "backtest.py");
  BacktestPage page{today(), folder / kBacktestCsv, folder / kBacktestSummaryCsv, {}, {}};
  for (const DrawnChart& chart : charts) {
    if (chart.skipped.empty()) {
      page.charts.push_back({chart.title, chart.caption, read_bytes(charts_folder / (chart.stem + ".png"))});
    } else {
      page.left_out.push_back({chart.title, chart.skipped});
    }
  }
  const std::string html = render_backtest_html(page, Labels::read(plots));
  out.write_file("report.html", [&](std::ostream& s) { s << html; });
  for (const auto& entry : fs::directory_iterator(charts_folder)) {
    const std::string name = entry.path().filename().string();
    out.write_file("charts/" + name, [&](std::ostream& s) { s << read_bytes(entry.path()); });
  }
  out.commit();
  std::cout << "Wrote " << page.charts.size() << " charts of forecasts against what happened in "
            << (folder / "charts").string()
            << " (PNG, SVG, PDF).\nBacktest report: " << (folder / "report.html").string() << "\n";
}

void execute(const ReportCommand& command);

// A region's folder (`run REGION`): each council's board pack in its own folder, then the region's
// page in region/report.html, which sets the councils side by side and links to their packs.
void execute_region(const fs::path& folder, bool publish) {
  std::vector<fs::path> council_folders;
  for (const auto& entry : fs::directory_iterator(folder / "councils")) {
    if (entry.is_directory()) council_folders.push_back(entry.path());
  }
  std::sort(council_folders.begin(), council_folders.end());
  if (council_folders.empty()) {
    throw InputError({(folder / "councils").string(), 0, 0, "councils"}, "holds no council's folder");
  }
  RegionPage page{today(), publish, {}, read_forecast_table(folder / "region" / "forecast.csv")};
  bool counted = false;
  for (const TableRow& row : page.region.rows) counted = counted || row.metric == "children_looked_after";
  if (!counted) {
    throw InputError({(folder / "region" / "forecast.csv").string(), 0, 0, "metric"},
                     "has no children_looked_after rows: it is not a region's forecast");
  }
  for (const fs::path& council : council_folders) {
    std::cout << "Council " << council.filename().string() << ":\n";
    execute(ReportCommand{council.string(), publish});
    page.councils.push_back({council.filename().string(), read_forecast_table(council / "forecast.csv")});
  }
  const fs::path pack = publish ? folder / "region" / kPublishedFolder : folder / "region";
  StagedOutputDirectory out(pack, "folder", ExistingOutput::replace);
  if (!publish) out.carry_over_existing({"report.html"});
  const std::string html = render_region_html(page);
  out.write_file("report.html", [&](std::ostream& s) { s << html; });
  out.commit();
  std::cout << "Region page: " << (pack / "report.html").string() << "\n";
}

void execute(const ReportCommand& command) {
  const fs::path folder = folder_path(command.folder);
  if (fs::exists(folder / "region" / "forecast.csv") && fs::is_directory(folder / "councils")) {
    return execute_region(folder, command.publish);
  }
  if (fs::exists(folder / kFiguresBacktestCsv)) return execute_figures_backtest(folder, command.publish);
  if (fs::exists(folder / kBacktestCsv)) return execute_backtest(folder, command.publish);
  const ReportInputs inputs = read_report_inputs(folder);
  // The whole folder is staged beside it, the run's own files carried over and an earlier
  // report's left out, and swapped into place only once complete: no chart of an earlier report
  // survives beside this one. Made before the charts are drawn so that a folder that cannot be
  // written is refused at once.
  const fs::path pack = command.publish ? folder / kPublishedFolder : folder;
  StagedOutputDirectory out(pack, "folder", ExistingOutput::replace);
  if (!command.publish) out.carry_over_existing({"report.html", "forecast.xlsx", "charts"});
  const fs::path plots = plots_folder();
  const Labels labels = Labels::read(plots);
  const fs::path scenario_file = locate_scenario(inputs);
  const Scenario scenario = load_scenario(scenario_file);
  const bool scenario_changed = content_hash(scenario.source_files) != inputs.run.scenario_hash;

  // What is shown: the folder's tables, under disclosure control when publishing. The charts, the
  // report and the workbook all draw on these same tables.
  std::optional<Table> forecast = inputs.forecast, comparison = inputs.comparison, history = inputs.history;
  if (command.publish) {
    if (forecast) forecast = publish_forecast(std::move(*forecast), inputs.run.origin, labels);
    if (comparison) comparison = publish_comparison(std::move(*comparison), labels);
    if (history) history = publish_history(std::move(*history), labels);
  }
  const ScratchFolder scratch;
  const fs::path view = scratch.path() / "view";
  fs::create_directories(view);
  for (const std::optional<Table>* table : {&forecast, &comparison, &history}) {
    if (!*table) continue;
    std::ofstream file(view / (*table)->file_name, std::ios::binary);
    write_table_csv(file, **table);
    if (!file) throw std::runtime_error("cannot write " + (view / (*table)->file_name).string());
  }
  fs::copy_file(inputs.run_json, view / "run.json");
  const std::string note =
      command.publish ? "Published with disclosure control: forecast counts rounded to the nearest 5." : "";
  const fs::path charts_folder = scratch.path() / "charts";
  const std::vector<DrawnChart> charts = draw_charts(plots, view, charts_folder, note);

  const std::vector<AssumptionTable> assumptions =
      describe_assumptions({scenario, inputs.run, labels, scenario_file.string(), scenario_changed, command.publish});
  ReportContent content{scenario.description,
                        inputs.run,
                        today(),
                        command.publish,
                        scenario_changed,
                        key_figures(forecast, inputs.run.origin, labels),
                        {},
                        {},
                        {},
                        {},
                        assumptions};
  if (comparison) content.options = appraise_options(*comparison, inputs.run.origin, labels);
  if (forecast) {
    content.finance = finance_by_year(*forecast, inputs.run.origin, scenario.costs.budget_per_financial_year);
  }
  for (const DrawnChart& chart : charts) {
    if (chart.skipped.empty()) {
      content.charts.push_back({chart.title, chart.caption, read_bytes(charts_folder / (chart.stem + ".png"))});
    } else {
      content.left_out.push_back({chart.title, chart.skipped});
    }
  }
  const fs::path workbook = scratch.path() / "forecast.xlsx";
  write_workbook(
      workbook,
      {forecast,
       comparison,
       history,
       assumptions,
       labels,
       "Children looked after: forecast for scenario '" + inputs.run.scenario_name + "'",
       {{"Scenario", inputs.run.scenario_name + (scenario.description.empty() ? "" : ": " + scenario.description)},
        {"Forecast start", format_long_date(inputs.run.origin)},
        {"Forecast length", std::to_string(inputs.run.horizon_years) + " years"},
        {"Simulated runs", std::to_string(inputs.run.runs)},
        {"Random seed", std::to_string(inputs.run.seed)},
        {"Made", today() + " by carecast " + inputs.run.version},
        {"How to read",
         "Each row is one measure at one date: the mean and percentiles of the simulated "
         "runs. Half the runs ended above the median; 90% between the 5th and 95th "
         "percentiles. Dates are month ends; financial years run 1 April to 31 March."},
        {"Disclosure control", command.publish ? std::string("Applied. ") + kDisclosureRule
                                               : "Not applied: not for publication as it stands."},
        {"Units",
         "Money in pounds at the prices of each year (the scenario's inflation applied). "
         "Percentages and probabilities are stored as fractions and shown with a % format."}},
       inputs.run.origin,
       scenario.costs.budget_per_financial_year});

  const std::string html = render_report_html(content);
  out.write_file("report.html", [&](std::ostream& s) { s << html; });
  out.write_file("forecast.xlsx", [&](std::ostream& s) { s << read_bytes(workbook); });
  std::vector<std::string> chart_files;
  for (const auto& entry : fs::directory_iterator(charts_folder)) {
    const std::string name = entry.path().filename().string();
    chart_files.push_back(name);
    out.write_file("charts/" + name, [&](std::ostream& s) { s << read_bytes(entry.path()); });
  }
  out.commit();

  for (const std::string& sentence : content.figures.sentences) std::cout << sentence << "\n";
  if (content.options) {
    for (const OptionAppraisal& option : content.options->options) {
      for (const OptionSentence& sentence : option.sentences) std::cout << sentence.text << "\n";
    }
  }
  std::cout << "Wrote " << (pack / "forecast.xlsx").string() << " and " << content.charts.size() << " charts in "
            << (pack / "charts").string() << " (PNG, SVG, PDF).\n"
            << (command.publish ? "Published board pack: " : "Board pack: ") << (pack / "report.html").string() << "\n";
}

}  // namespace

void setup_report(CLI::App& app) {
  auto command = std::make_shared<ReportCommand>();
  CLI::App* report = app.add_subcommand(
      "report",
      "Turn a run or compare folder into a board pack: report.html, forecast.xlsx and charts/ (a backtest "
      "folder: report.html, how well the model forecast before, and its charts)");
  report->add_option("folder", command->folder, "A folder written by `carecast run` (or compare, or backtest)")
      ->required();
  report->add_flag("--publish", command->publish,
                   "Apply disclosure control: suppress recorded counts of 1-4 (shown as \"c\") and round forecast "
                   "counts to the nearest 5");
  report->callback([command] { execute(*command); });
}

}  // namespace carecast::app
