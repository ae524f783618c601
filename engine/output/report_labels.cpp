#include "output/report_labels.hpp"

#include <cctype>
#include <cstdlib>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"

namespace carecast::report {
namespace fs = std::filesystem;

std::string label_from_id(std::string_view id) {
  std::string text(id);
  for (char& c : text) c = c == '_' ? ' ' : c;
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

fs::path plots_folder() {
  const char* folder = std::getenv("CARECAST_PLOTS_DIR");
  return folder && *folder ? fs::path(folder) : fs::path(CARECAST_PLOTS_DIR);
}

namespace {

template <typename T>
T parse_choice(const CsvTable& csv, std::size_t row, std::size_t column,
               std::initializer_list<std::pair<std::string_view, T>> choices) {
  for (const auto& [name, value] : choices) {
    if (csv.field(row, column) == name) return value;
  }
  throw InputError(csv.location(row, column), "unknown value");
}

}  // namespace

Labels Labels::read(const fs::path& plots) {
  Labels labels;
  const CsvTable metrics = CsvTable::read(plots / "metric_labels.csv");
  const std::size_t id = metrics.require_column("id");
  const std::size_t label = metrics.require_column("label");
  const std::size_t unit = metrics.require_column("unit");
  const std::size_t period = metrics.require_column("period");
  const std::size_t family = metrics.require_column("family");
  const std::size_t key_figure = metrics.require_column("key_figure");
  const std::size_t description = metrics.require_column("description");
  for (std::size_t r = 0; r < metrics.row_count(); ++r) {
    MetricLabel metric{std::string(metrics.field(r, id)), std::string(metrics.field(r, label)),
                       parse_choice<Unit>(metrics, r, unit,
                                          {{"count", Unit::count}, {"percent", Unit::percent},
                                           {"pounds", Unit::pounds}, {"rate", Unit::rate},
                                           {"probability", Unit::probability}}),
                       parse_choice<Period>(metrics, r, period,
                                            {{"day", Period::day}, {"month", Period::month},
                                             {"year", Period::year}, {"year_end", Period::year_end},
                                             {"to_date", Period::to_date}}),
                       std::string(metrics.field(r, family)),
                       parse_choice<bool>(metrics, r, key_figure, {{"yes", true}, {"no", false}}),
                       std::string(metrics.field(r, description))};
    labels.metrics_.emplace(metric.id, metric);
  }
  const CsvTable categories = CsvTable::read(plots / "category_labels.csv");
  const std::size_t category_id = categories.require_column("id");
  const std::size_t category_label = categories.require_column("label");
  for (std::size_t r = 0; r < categories.row_count(); ++r) {
    labels.categories_.emplace(std::string(categories.field(r, category_id)),
                               std::string(categories.field(r, category_label)));
  }
  return labels;
}

MetricLabel Labels::metric(std::string_view id) const {
  const auto it = metrics_.find(id);
  if (it != metrics_.end()) return it->second;
  return {std::string(id), label_from_id(id), Unit::count, Period::day, "Other measures", false,
          "A measure this version of the report does not describe"};
}

std::string Labels::category(std::string_view id) const {
  const auto it = categories_.find(id);
  return it != categories_.end() ? it->second : label_from_id(id);
}

}  // namespace carecast::report
