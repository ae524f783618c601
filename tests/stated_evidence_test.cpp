// Stated parameter uncertainty for hand-written rates (Scenario::stated_uncertainty): the evidence
// it builds is centred on the stated rates, runs draw from it by default so intervals widen, and
// run.json, the printed summary and the report say which sources of uncertainty the intervals
// include.
#include "simulation/stated_evidence.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "output/report_inputs.hpp"
#include "simulation/parameter_draws.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

// Every posterior mean (Gamma shape / rate, Dirichlet count / total) is the stated value, with the
// stated amount of evidence behind it.
TEST(StatedEvidence, PosteriorMeansAreTheStatedRates) {
  Scenario s = mixed_scenario();
  s.stated_uncertainty.hazard_child_years = 12;
  s.stated_uncertainty.entry_years = 4;
  s.stated_uncertainty.share_events = 25;
  s.stated_uncertainty.entry_growth_sd_log_per_year = 0.04;
  const RateEvidence evidence = stated_evidence(s);
  EXPECT_EQ(evidence.entries_growth_sd_log_per_year, 0.04);
  EXPECT_EQ(evidence.uasc_growth_sd_log_per_year, 0.04);
  ASSERT_EQ(evidence.ending.size(), s.ending_hazard_per_year.size());
  for (std::size_t i = 0; i < evidence.ending.size(); ++i) {
    EXPECT_EQ(evidence.ending[i].rate(), 12);
    EXPECT_NEAR(evidence.ending[i].shape() / evidence.ending[i].rate(), s.ending_hazard_per_year[i], 1e-12);
  }
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      const auto& counts = evidence.destination[c][b].counts;
      for (int o = 0; o < kOutcomeCount; ++o) {
        EXPECT_NEAR(counts[o], 25 * s.destination_probability[c][b][o], 1e-12);
        EXPECT_EQ(evidence.destination[c][b].prior[o], 0);
      }
    }
  }
  for (const auto& [stream, entries, first] :
       {std::tuple{&s.entries, &evidence.entries, &evidence.first_placement},
        std::tuple{&s.uasc, &evidence.uasc_entries, &evidence.uasc_first_placement}}) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      for (int x = 0; x < kSexCount; ++x) {
        EXPECT_EQ((*entries)[b][x].rate(), 4);
        EXPECT_NEAR((*entries)[b][x].shape() / 4, stream->expected_per_year[b][x], 1e-12);
      }
      for (int c = 0; c < kCategoryCount; ++c) {
        EXPECT_NEAR((*first)[b].counts[c], 25 * stream->first_placement_probability[b][c], 1e-12);
      }
    }
  }
}

// Drawn hazards centre on the stated hazard with the variance of Gamma(h x 10, 10), and stated
// zeros stay zero; each within k standard errors over 20,000 draws.
TEST(StatedEvidence, DrawsCentreOnTheStatedRates) {
  const Scenario s = mixed_scenario();
  const RateEvidence evidence = stated_evidence(s);
  const std::size_t cell = (static_cast<std::size_t>(Category::foster_agency) * kAgeBandCount + 2) * 6 + 1;
  const double h = s.ending_hazard_per_year[cell];
  ASSERT_GT(h, 0);
  const std::size_t unused = (static_cast<std::size_t>(Category::foster_kinship) * kAgeBandCount + 2) * 6 + 1;
  ASSERT_EQ(s.ending_hazard_per_year[unused], 0.0);
  const int n = 20000;
  Scenario drawn = s;
  StreamEngine engine(31);
  double sum = 0, squares = 0, entries = 0;
  for (int i = 0; i < n; ++i) {
    draw_parameters_into(s, evidence, engine, drawn);
    const double x = drawn.ending_hazard_per_year[cell];
    sum += x;
    squares += x * x;
    entries += drawn.entries.expected_per_year[3][0];
    ASSERT_EQ(drawn.ending_hazard_per_year[unused], 0.0);  // a stated 0 stays 0
  }
  const double variance = h / 10;  // shape h x 10, rate 10
  EXPECT_NEAR(sum / n, h, standard_errors_allowed() * std::sqrt(variance / n));
  const double mean = sum / n;
  const double sample_variance = squares / n - mean * mean;
  const double shape = h * 10, rate = 10;
  const double mu4 = 3 * shape * (shape + 2) / std::pow(rate, 4);
  EXPECT_NEAR(sample_variance, variance, standard_errors_allowed() * std::sqrt((mu4 - variance * variance) / n));
  // 30 entries a year stated, from 3 years: Gamma(90, 3), variance 10.
  EXPECT_NEAR(entries / n, 30, standard_errors_allowed() * std::sqrt(10.0 / n));
}

// A hand-written scenario's runs draw their rates by default, so its intervals are wider than with
// --parameter-uncertainty off (F test on the total at the horizon, at the false-alarm rate), and
// RunInfo says where the draws came from.
TEST(StatedEvidence, HandWrittenScenarioHasWiderIntervalsWithParameterUncertainty) {
  Scenario s = mixed_scenario();
  s.stated_uncertainty = StatedUncertainty{};  // the defaults, on
  RunOptions options;
  options.runs = 500;
  options.threads = 2;
  options.seed = 5;
  const RunResult on = run_replications(s, options);
  EXPECT_TRUE(on.parameters_drawn);
  EXPECT_EQ(on.parameter_evidence, ParameterEvidence::stated);
  options.parameter_uncertainty = false;
  options.seed = 6;
  const RunResult off = run_replications(s, options);
  EXPECT_FALSE(off.parameters_drawn);
  EXPECT_EQ(off.parameter_evidence, ParameterEvidence::none);

  const int last = on.calendar.date_count() - 1;
  auto variance = [&](const RunResult& r) {
    double sum = 0, squares = 0;
    for (int run = 0; run < r.runs; ++run) sum += r.value(run, last, r.layout.stock_all);
    const double mean = sum / r.runs;
    for (int run = 0; run < r.runs; ++run) squares += std::pow(r.value(run, last, r.layout.stock_all) - mean, 2);
    return squares / (r.runs - 1);
  };
  const double df = options.runs - 1;
  const double f_critical = boost::math::quantile(
      boost::math::complement(boost::math::fisher_f_distribution<double>(df, df), kFalseAlarmRate));
  EXPECT_GT(variance(on) / variance(off), f_critical);
}

// A scenario that turns its stated uncertainty off keeps its point rates; a calibrated scenario's
// own evidence is used rather than the stated uncertainty.
TEST(StatedEvidence, EvidenceSourceFollowsTheScenario) {
  Scenario s = single_category_scenario(0.5, 20, 5 * 365, 1);
  s.stated_uncertainty = StatedUncertainty{};
  RunOptions options;
  options.runs = 20;
  options.threads = 2;
  Scenario stated_off = s;
  stated_off.stated_uncertainty.enabled = false;
  const RunResult point = run_replications(stated_off, options);
  EXPECT_FALSE(point.parameters_drawn);
  options.parameter_uncertainty = false;
  EXPECT_EQ(point.tallies, run_replications(s, options).tallies);
  options.parameter_uncertainty = true;
  Scenario calibrated = stated_off;
  calibrated.evidence = stated_evidence(s);
  const RunResult drawn = run_replications(calibrated, options);
  EXPECT_EQ(drawn.parameter_evidence, ParameterEvidence::calibrated);
  // The same evidence either way, so the same draws.
  EXPECT_EQ(drawn.tallies, run_replications(s, options).tallies);
}

class ScratchFolder {
 public:
  ScratchFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("carecast_stated_evidence_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
  }
  ~ScratchFolder() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

// `run` writes the sources into run.json and prints them in one line; the report reads them back,
// and reads an older run.json without them as events (and parameters when they were drawn).
TEST(StatedEvidence, RunJsonSummaryAndReportNameTheSources) {
  const ScratchFolder scratch;
  const fs::path off = scratch.path() / "off";
  const CommandOutcome quiet =
      run_carecast("run --runs 3 --years 1 --threads 1 --parameter-uncertainty off --variation off --out " + off.string());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_NE(quiet.output.find("Intervals include: chance events. Rates are taken as known."), std::string::npos)
      << quiet.output;
  const nlohmann::json off_json = read_json(off / "run.json");
  EXPECT_EQ(off_json["uncertainty_sources"], nlohmann::json::array({"events"}));
  EXPECT_EQ(off_json["parameter_evidence"], "none");
  EXPECT_EQ(off_json["year_to_year_variation"], false);

  const fs::path on = scratch.path() / "on";
  const CommandOutcome drawn = run_carecast("run --runs 3 --years 1 --threads 1 --out " + on.string());
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("Intervals include: chance events, uncertainty in the rates (the scenario's stated "
                              "uncertainty)"),
            std::string::npos)
      << drawn.output;
  nlohmann::json on_json = read_json(on / "run.json");
  EXPECT_EQ(on_json["parameter_evidence"], "stated");
  EXPECT_EQ(on_json["uncertainty_sources"][0], "events");
  EXPECT_EQ(on_json["uncertainty_sources"][1], "parameters");

  const report::ReportInputs inputs = report::read_report_inputs(on);
  EXPECT_EQ(inputs.run.parameter_evidence, "stated");
  EXPECT_EQ(inputs.run.uncertainty_sources, on_json["uncertainty_sources"].get<std::vector<std::string>>());
  EXPECT_EQ(inputs.run.year_to_year_variation, on_json["year_to_year_variation"].get<bool>());

  // A run.json written before the fields existed.
  for (const char* key : {"uncertainty_sources", "parameter_evidence", "year_to_year_variation"}) on_json.erase(key);
  std::ofstream(on / "run.json") << on_json.dump(2);
  const report::ReportInputs older = report::read_report_inputs(on);
  EXPECT_EQ(older.run.uncertainty_sources, (std::vector<std::string>{"events", "parameters"}));
  EXPECT_EQ(older.run.parameter_evidence, "");
  EXPECT_FALSE(older.run.year_to_year_variation);

  // An unknown source is refused, naming the field.
  on_json["uncertainty_sources"] = {"events", "luck"};
  std::ofstream(on / "run.json") << on_json.dump(2);
  try {
    report::read_report_inputs(on);
    ADD_FAILURE() << "an unknown source was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("uncertainty_sources"), std::string::npos) << error.what();
  }

  // compare takes both switches.
  const CommandOutcome bad = run_carecast("compare " + std::string(CARECAST_SCENARIO_DIR) + "/default.toml " +
                                          CARECAST_SCENARIO_DIR + "/option_step_down.toml --variation maybe --out " +
                                          (scratch.path() / "bad").string());
  EXPECT_NE(bad.exit_code, 0);
  const CommandOutcome compared =
      run_carecast("compare " + std::string(CARECAST_SCENARIO_DIR) + "/default.toml " + CARECAST_SCENARIO_DIR +
                   "/option_step_down.toml --runs 2 --years 1 --threads 1 --parameter-uncertainty off --variation off "
                   "--out " +
                   (scratch.path() / "compared").string());
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_NE(compared.output.find("Intervals include: chance events. Rates are taken as known."), std::string::npos)
      << compared.output;
}

}  // namespace
}  // namespace carecast
