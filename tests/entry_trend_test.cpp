// The damped entry trend (EntryStream in scenario.hpp) and the yearly entries multiplier: arrivals
// form a Poisson process whose expected count each year is the integral of
// r0 exp(gamma D(t)) x m_year, in the simulation and in `carecast expect`.
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <vector>

#include "expectation/markov_projection.hpp"
#include "simulation/compiled_model.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

// D(t) = (1 - phi^t) / (-log phi), written out as scenario.hpp gives it.
double damped_years(double phi, double t) { return phi == 1 ? t : (1 - std::pow(phi, t)) / (-std::log(phi)); }

TEST(EntryTrend, LogMultiplierIsTheFormula) {
  const double gamma = std::log1p(0.06);
  for (double phi : {0.5, 0.8, 0.95, 0.999999, 1.0}) {
    for (double t : {0.0, 0.25, 1.0, 3.7, 10.0}) {
      EXPECT_NEAR(damped_trend_log_multiplier(gamma, phi, t), gamma * damped_years(phi, t), 1e-9)
          << "phi " << phi << " t " << t;
    }
  }
  // The comment's example: with phi = 0.8 the rate settles at about exp(4.5 gamma).
  EXPECT_NEAR(damped_trend_log_multiplier(gamma, 0.8, 200.0) / gamma, 4.48, 0.01);
}

// Expected arrivals in year k: r0 x m_k x the integral of exp(gamma D(t)) over [k, k+1) years.
double expected_in_year(double per_year, double gamma, double phi, double multiplier, int year) {
  auto rate = [&](double t) { return per_year * multiplier * std::exp(gamma * damped_years(phi, t)); };
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(rate, year, year + 1.0, 10, 1e-12);
}

struct Case {
  double growth;
  double phi;
  std::vector<double> multipliers;  // empty: none
};

// For each kind of stream (undamped without multipliers, undamped with, damped without and with,
// growing and shrinking), 4,000 streams' arrivals counted by year: each year's mean count is the
// formula's within k standard errors, and the counts are Poisson (index of dispersion, a
// chi-squared check at the false-alarm rate, two-sided).
TEST(EntryTrend, ArrivalsPerYearFollowTheDampedTrendAndMultipliers) {
  const std::vector<Case> cases = {
      {0.08, 1.0, {}},
      {0.08, 1.0, {1.3, 0.7, 1.0, 1.6, 0.8}},
      {0.25, 0.6, {}},
      {0.25, 0.6, {0.9, 1.4, 0.6, 1.1, 1.2}},
      {-0.3, 0.85, {1.2, 1.0, 0.7, 1.0, 1.5}},
  };
  const double per_year = 120;  // groups a year at the origin
  const int years = 5;
  const double horizon = years * kDaysPerYear;
  const int streams = 4000;
  for (const Case& c : cases) {
    CompiledEntryStream stream;
    stream.groups_per_day = per_year / kDaysPerYear;
    stream.log_growth_per_year = std::log1p(c.growth);
    stream.growth_per_day = stream.log_growth_per_year / kDaysPerYear;
    stream.damping_per_year = c.phi;
    std::vector<std::vector<double>> counts(years, std::vector<double>(streams, 0.0));
    for (int i = 0; i < streams; ++i) {
      StreamEngine arrivals(77, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 0),
                            Process::entry_arrivals);
      double t = stream.next_arrival(0.0, arrivals, c.multipliers, horizon);
      while (t < horizon) {
        counts[static_cast<std::size_t>(t / kDaysPerYear)][static_cast<std::size_t>(i)] += 1;
        t = stream.next_arrival(t, arrivals, c.multipliers, horizon);
      }
    }
    for (int k = 0; k < years; ++k) {
      const double m = c.multipliers.empty() ? 1.0 : c.multipliers[static_cast<std::size_t>(k)];
      const double expected = expected_in_year(per_year, std::log1p(c.growth), c.phi, m, k);
      double sum = 0;
      for (double x : counts[static_cast<std::size_t>(k)]) sum += x;
      const double mean = sum / streams;
      EXPECT_NEAR(mean, expected, standard_errors_allowed() * std::sqrt(expected / streams))
          << "growth " << c.growth << " phi " << c.phi << " year " << k;
      double dispersion = 0;
      for (double x : counts[static_cast<std::size_t>(k)]) dispersion += (x - expected) * (x - expected) / expected;
      const boost::math::chi_squared chi(streams);
      EXPECT_LT(dispersion, boost::math::quantile(boost::math::complement(chi, kFalseAlarmRate / 2)));
      EXPECT_GT(dispersion, boost::math::quantile(chi, kFalseAlarmRate / 2));
    }
  }
}

// Without damping or multipliers a stream draws exactly as before damping existed: one Exp(1) per
// arrival, inverted in closed form.
TEST(EntryTrend, UndampedStreamInvertsOneExponentialPerArrival) {
  CompiledEntryStream stream;
  stream.groups_per_day = 0.4;
  stream.log_growth_per_year = std::log1p(0.05);
  stream.growth_per_day = stream.log_growth_per_year / kDaysPerYear;
  StreamEngine a(3), b(3);
  double t = 10;
  for (int i = 0; i < 100; ++i) {
    const double next = stream.next_arrival(t, a, {}, 1e6);
    const double draw = boost::random::exponential_distribution<double>(1.0)(b);
    const double expected =
        std::log(std::exp(stream.growth_per_day * t) + stream.growth_per_day * draw / stream.groups_per_day) /
        stream.growth_per_day;
    ASSERT_NEAR(next, expected, 1e-9 * expected);
    t = next;
  }
}

// A growth that is zero up to rounding (calibration once produced 8.9e-16 a year from equal
// yearly counts) must behave as no growth: the difference-of-exponentials form gave back `now`
// itself and the replication never advanced. Each draw must give the flat stream's next arrival.
TEST(EntryTrend, GrowthZeroUpToRoundingStillAdvances) {
  for (const double growth : {8.9e-16, -8.9e-16, 1e-12}) {
    CompiledEntryStream stream;
    stream.groups_per_day = 0.4;
    stream.log_growth_per_year = std::log1p(growth);
    stream.growth_per_day = stream.log_growth_per_year / kDaysPerYear;
    const std::vector<double> multipliers = {1.0, 1.2};
    for (const bool with_multipliers : {false, true}) {
      StreamEngine a(5), b(5);
      double t = 0;
      for (int i = 0; i < 200; ++i) {
        const double next = stream.next_arrival(t, a, with_multipliers ? multipliers : std::vector<double>{}, 1e6);
        const double draw = boost::random::exponential_distribution<double>(1.0)(b);
        const double rate = stream.groups_per_day * (with_multipliers && t >= kDaysPerYear ? 1.2 : 1.0);
        ASSERT_GT(next, t) << "growth " << growth;
        // Away from a year end, the flat stream's next arrival is t + draw / rate.
        if (!with_multipliers || (t + draw / rate < kDaysPerYear) || t >= kDaysPerYear) {
          ASSERT_NEAR(next, t + draw / rate, 1e-6) << "growth " << growth;
        }
        t = next;
      }
    }
  }
}

// `carecast expect` follows the damped trend: with no endings, its expected entries in each month
// are the integral of the rate over the month's days.
TEST(EntryTrend, ExpectationProjectsTheDampedTrend) {
  Scenario s = single_category_scenario(0.0, 0, 0, 4);
  const int c = static_cast<int>(Category::foster_in_house);
  for (int b = 0; b < kAgeBandCount; ++b) {
    s.entries.first_placement_probability[b][c] = 1.0;
    s.entries.expected_per_year[b] = {10, 10};
  }
  s.entries.annual_growth_rate = 0.2;
  s.entries.trend_damping_per_year = 0.7;
  const ExpectedSeries expected = project_expectation(s);
  const double per_year = 100;
  const double gamma = std::log1p(0.2);
  double previous_day = 0;
  for (std::size_t i = 1; i < expected.dates.size(); ++i) {
    const double day = static_cast<double>((expected.dates[i] - s.origin).count());
    auto rate = [&](double t) { return per_year / kDaysPerYear * std::exp(gamma * damped_years(0.7, t / kDaysPerYear)); };
    const double month = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(rate, previous_day, day, 10, 1e-12);
    EXPECT_NEAR(expected.entries[i], month, 1e-9 * month) << "month " << i;
    previous_day = day;
  }
}

}  // namespace
}  // namespace carecast
