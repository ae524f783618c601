#include "output/report_workbook.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "output/report_finance.hpp"
#include "output/report_options.hpp"

namespace carecast::report {
namespace {

struct Formats {
  lxw_format* bold;
  lxw_format* header;
  lxw_format* title;
  lxw_format* wrap;
  lxw_format* date;
  std::map<Unit, lxw_format*> mean;      // the mean, one decimal for counts
  std::map<Unit, lxw_format*> quantile;  // percentiles and values
};

lxw_format* number_format(lxw_workbook* book, const char* pattern) {
  lxw_format* format = workbook_add_format(book);
  format_set_num_format(format, pattern);
  return format;
}

Formats make_formats(lxw_workbook* book) {
  Formats f{};
  f.bold = workbook_add_format(book);
  format_set_bold(f.bold);
  f.header = workbook_add_format(book);
  format_set_bold(f.header);
  format_set_bg_color(f.header, 0xF2F2F2);
  format_set_bottom(f.header, LXW_BORDER_THIN);
  format_set_text_wrap(f.header);
  format_set_align(f.header, LXW_ALIGN_VERTICAL_TOP);
  f.title = workbook_add_format(book);
  format_set_bold(f.title);
  format_set_font_size(f.title, 14);
  f.wrap = workbook_add_format(book);
  format_set_text_wrap(f.wrap);
  format_set_align(f.wrap, LXW_ALIGN_VERTICAL_TOP);
  f.date = number_format(book, "d mmm yyyy");
  // Percentages and probabilities are stored as fractions: Excel's % format shows 0.14 as 14.0%.
  lxw_format* percent = number_format(book, "0.0%");
  lxw_format* pounds = number_format(book, "\"£\"#,##0;-\"£\"#,##0");
  f.mean = {{Unit::count, number_format(book, "#,##0.0")},
            {Unit::percent, percent},
            {Unit::pounds, pounds},
            {Unit::rate, number_format(book, "0.000")},
            {Unit::probability, percent}};
  f.quantile = {{Unit::count, number_format(book, "#,##0")},
                {Unit::percent, percent},
                {Unit::pounds, pounds},
                {Unit::rate, number_format(book, "0.000")},
                {Unit::probability, percent}};
  return f;
}

lxw_col_t col(std::size_t c) { return static_cast<lxw_col_t>(c); }
lxw_row_t row_at(std::size_t r) { return static_cast<lxw_row_t>(r); }

lxw_datetime excel_date(Date date) {
  const std::chrono::year_month_day ymd{date};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())), 0, 0, 0.0};
}

std::string financial_year(Date date) {
  const int start = static_cast<int>(std::chrono::year_month_day{financial_year_start(date)}.year());
  const std::string next = std::to_string((start + 1) % 100);
  return std::to_string(start) + "-" + (next.size() < 2 ? "0" : "") + next;
}

// The number stored for a value in its unit: a percentage as a fraction.
double stored(double value, Unit unit) { return unit == Unit::percent ? value / 100 : value; }

// Excel refuses sheet names over 31 characters or with []:*?/\ in them.
std::string sheet_name(std::string name) {
  for (char& c : name) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '-';
  }
  return name.substr(0, 31);
}

void header_row(lxw_worksheet* sheet, const Formats& f, const std::vector<std::pair<std::string, double>>& columns) {
  for (std::size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(sheet, 0, col(c), columns[c].first.c_str(), f.header);
    worksheet_set_column(sheet, col(c), col(c), columns[c].second, nullptr);
  }
  worksheet_set_row(sheet, 0, 32, nullptr);
  worksheet_freeze_panes(sheet, 1, 0);
}

// One sheet of table rows: [option,] measure, category, date, financial year, the statistics, ids.
void table_sheet(lxw_workbook* book, const Formats& f, const std::string& name, const Table& table,
                 const std::vector<const TableRow*>& rows, const Labels& labels, Date origin) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, sheet_name(name).c_str());
  static const std::map<std::string, std::string> kStatisticNames = {
      {"mean", "Mean"},           {"p05", "5th percentile"},  {"p25", "25th percentile"}, {"p50", "Median"},
      {"p75", "75th percentile"}, {"p95", "95th percentile"}, {"value", "Recorded"}};
  std::vector<std::pair<std::string, double>> columns;
  if (table.has_option) columns.emplace_back("Option", 28);
  columns.insert(columns.end(), {{"Measure", 40}, {"Category", 30}, {"Date", 12}, {"Financial year", 10}});
  for (const std::string& statistic : table.statistics) {
    const auto it = kStatisticNames.find(statistic);
    std::string heading = it != kStatisticNames.end() ? it->second : statistic;
    if (table.has_option) heading += " difference";
    columns.emplace_back(heading, 13);
  }
  columns.insert(columns.end(), {{"Metric id", 24}, {"Category id", 22}});
  header_row(sheet, f, columns);
  std::map<std::string, MetricLabel> metric_cache;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const TableRow& row = *rows[r];
    auto cached = metric_cache.find(row.metric);
    if (cached == metric_cache.end()) cached = metric_cache.emplace(row.metric, labels.metric(row.metric)).first;
    const MetricLabel& metric = cached->second;
    const lxw_row_t at = row_at(r + 1);
    std::size_t c = 0;
    if (table.has_option) worksheet_write_string(sheet, at, col(c++), row.option.c_str(), nullptr);
    worksheet_write_string(sheet, at, col(c++), metric.label.c_str(), nullptr);
    worksheet_write_string(sheet, at, col(c++), labels.category(row.category).c_str(), nullptr);
    lxw_datetime date = excel_date(row.date);
    worksheet_write_datetime(sheet, at, col(c++), &date, f.date);
    // A total over a financial year says how much of the year the forecast covers.
    const std::string year = metric.period == Period::year ? financial_year_label(row.date, origin)
                                                           : financial_year(row.date);
    worksheet_write_string(sheet, at, col(c++), year.c_str(), nullptr);
    for (std::size_t s = 0; s < row.values.size(); ++s, ++c) {
      const bool mean = table.statistics[s] == "mean";
      // A probability over runs has no percentiles: the number is in the mean column alone.
      if (metric.unit == Unit::probability && !mean && table.statistics[s] != "value") continue;
      if (!row.values[s]) {
        worksheet_write_string(sheet, at, col(c), kSuppressedText, nullptr);
        continue;
      }
      worksheet_write_number(sheet, at, col(c), stored(*row.values[s], metric.unit),
                             (mean ? f.mean : f.quantile).at(metric.unit));
    }
    worksheet_write_string(sheet, at, col(c++), row.metric.c_str(), nullptr);
    worksheet_write_string(sheet, at, col(c++), row.category.c_str(), nullptr);
  }
  worksheet_autofilter(sheet, 0, 0, row_at(std::max<std::size_t>(rows.size(), 1)), col(columns.size() - 1));
}

// One row per financial year and cost line (placement category, carer support, fees, ...), the
// total first in each year with its budget, the probability of spending more than it and the
// expected overspend.
void finance_sheet(lxw_workbook* book, const Formats& f, const WorkbookContent& content) {
  const Table& forecast = *content.forecast;
  const std::size_t mean = forecast.statistic("mean"), p05 = forecast.statistic("p05"),
                    p50 = forecast.statistic("p50"), p95 = forecast.statistic("p95");
  std::map<Date, const TableRow*> over_budget, overspend;
  std::vector<const TableRow*> rows;
  for (const TableRow& row : forecast.rows) {
    if (row.metric == "budget_exceedance_probability" && row.category == "all") over_budget[row.date] = &row;
    if (row.metric == "budget_overspend" && row.category == "all") overspend[row.date] = &row;
    if (row.metric == "cost_financial_year" && row.date > content.origin) rows.push_back(&row);
  }
  // Year by year, the total first.
  std::stable_sort(rows.begin(), rows.end(), [](const TableRow* a, const TableRow* b) {
    return a->date != b->date ? a->date < b->date : (a->category == "all") > (b->category == "all");
  });
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Finance");
  header_row(sheet, f,
             {{"Financial year", 20}, {"Cost line", 34}, {"Median", 14}, {"Mean", 14}, {"5th percentile", 14},
              {"95th percentile", 14}, {"Budget", 14}, {"Probability of spending more than the budget", 18},
              {"Expected overspend", 14}, {"Metric id", 22}, {"Category id", 22}});
  const int first_year = static_cast<int>(std::chrono::year_month_day{financial_year_start(content.origin)}.year());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const TableRow& row = *rows[r];
    const lxw_row_t at = row_at(r + 1);
    worksheet_write_string(sheet, at, 0, financial_year_label(row.date, content.origin).c_str(), nullptr);
    worksheet_write_string(sheet, at, 1, content.labels.category(row.category).c_str(), nullptr);
    std::size_t c = 2;
    for (std::size_t statistic : {p50, mean, p05, p95}) {
      if (row.values[statistic]) {
        worksheet_write_number(sheet, at, col(c), *row.values[statistic], f.quantile.at(Unit::pounds));
      }
      ++c;
    }
    const int year = static_cast<int>(std::chrono::year_month_day{financial_year_start(row.date)}.year()) - first_year;
    if (row.category == "all" && year >= 0 && year < static_cast<int>(content.budgets.size())) {
      worksheet_write_number(sheet, at, 6, content.budgets[static_cast<std::size_t>(year)],
                             f.quantile.at(Unit::pounds));
      // A part year is not compared with the whole year's budget (see report_finance.hpp).
      if (financial_year_months(row.date, content.origin) < 12) {
        worksheet_write_string(sheet, at, 7, kPartYearNotCompared, nullptr);
        worksheet_write_string(sheet, at, 8, kPartYearNotCompared, nullptr);
      } else {
        if (const auto it = over_budget.find(row.date); it != over_budget.end() && it->second->values[mean]) {
          worksheet_write_number(sheet, at, 7, *it->second->values[mean], f.quantile.at(Unit::probability));
        }
        if (const auto it = overspend.find(row.date); it != overspend.end() && it->second->values[mean]) {
          worksheet_write_number(sheet, at, 8, *it->second->values[mean], f.quantile.at(Unit::pounds));
        }
      }
    }
    worksheet_write_string(sheet, at, 9, row.metric.c_str(), nullptr);
    worksheet_write_string(sheet, at, 10, row.category.c_str(), nullptr);
  }
  worksheet_autofilter(sheet, 0, 0, row_at(std::max<std::size_t>(rows.size(), 1)), 10);
}

// One column of a sheet by financial year: a statistic of the forecast row (metric, category) at
// the year's 31 March.
struct YearColumn {
  const char* heading;
  double width;
  const char* metric;
  const char* category;
  const char* statistic;  // "p50", "p05", "p95"
  Unit unit;
};

// One row per 31 March after the start that has the first column's row: the financial year, the
// date, then each column's statistic (the suppression mark where disclosure control withheld it).
void year_sheet(lxw_workbook* book, const Formats& f, const WorkbookContent& content, const char* name,
                const std::vector<YearColumn>& columns) {
  const Table& forecast = *content.forecast;
  std::map<std::pair<std::string, std::string>, std::size_t> wanted;  // (metric, category) -> column
  for (std::size_t c = 0; c < columns.size(); ++c) wanted.emplace(std::pair{columns[c].metric, columns[c].category}, c);
  std::map<Date, std::vector<const TableRow*>> by_year;  // 31 March -> each column's row
  for (const TableRow& row : forecast.rows) {
    const std::chrono::year_month_day day{row.date};
    if (row.date <= content.origin || day.month() != std::chrono::March || day.day() != std::chrono::day{31}) continue;
    const auto found = wanted.find({row.metric, row.category});
    if (found == wanted.end()) continue;
    auto& cells = by_year[row.date];
    cells.resize(columns.size(), nullptr);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].metric == row.metric && columns[c].category == row.category) cells[c] = &row;
    }
  }
  lxw_worksheet* sheet = workbook_add_worksheet(book, name);
  std::vector<std::pair<std::string, double>> headings = {{"Financial year", 20}, {"31 March", 12}};
  for (const YearColumn& column : columns) headings.emplace_back(column.heading, column.width);
  header_row(sheet, f, headings);
  lxw_row_t at = 1;
  for (const auto& year : by_year) {
    const auto& date = year.first;
    const auto& cells = year.second;  // a plain reference: clang before 16 cannot capture a structured binding
    if (cells.front() == nullptr) continue;
    worksheet_write_string(sheet, at, 0, financial_year_label(date, content.origin).c_str(), nullptr);
    lxw_datetime day = excel_date(date);
    worksheet_write_datetime(sheet, at, 1, &day, f.date);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (cells[c] == nullptr) continue;
      const lxw_col_t column = col(c + 2);
      if (const std::optional<double>& value = cells[c]->values[forecast.statistic(columns[c].statistic)]) {
        worksheet_write_number(sheet, at, column, stored(*value, columns[c].unit), f.quantile.at(columns[c].unit));
      } else {
        worksheet_write_string(sheet, at, column, kSuppressedText, nullptr);
      }
    }
    ++at;
  }
  worksheet_autofilter(sheet, 0, 0, std::max<lxw_row_t>(at - 1, 1), col(headings.size() - 1));
}

// Care leavers at each 31 March after the start, in all, by age band and staying put, beside what
// supporting them costs in the financial year ending then (cost category care_leavers): the figures a
// leaving-care budget is set from, one row a year.
void care_leavers_sheet(lxw_workbook* book, const Formats& f, const WorkbookContent& content) {
  year_sheet(book, f, content, "Care leavers by year",
             {{"Care leavers: median", 14, "care_leavers", "all", "p50", Unit::count},
              {"Care leavers: 5th percentile", 14, "care_leavers", "all", "p05", Unit::count},
              {"Care leavers: 95th percentile", 14, "care_leavers", "all", "p95", Unit::count},
              {"Aged 18 to 20: median", 14, "care_leavers", "18_to_20", "p50", Unit::count},
              {"Aged 21 to 25: median", 14, "care_leavers", "21_to_25", "p50", Unit::count},
              {"Staying put: median", 14, "staying_put", "all", "p50", Unit::count},
              {"Leaving-care cost in the year: median", 16, "cost_financial_year", "care_leavers", "p50", Unit::pounds},
              {"Leaving-care cost: 5th percentile", 16, "cost_financial_year", "care_leavers", "p05", Unit::pounds},
              {"Leaving-care cost: 95th percentile", 16, "cost_financial_year", "care_leavers", "p95", Unit::pounds}});
}

// Repeat entries in each financial year ending at a 31 March after the start: the children coming
// back into care and their percentage of all who started care, beside all who started care.
void repeat_entries_sheet(lxw_workbook* book, const Formats& f, const WorkbookContent& content) {
  year_sheet(book, f, content, "Repeat entries by year",
             {{"Repeat entries (% of entries): median", 14, "repeat_entry_percent", "all", "p50", Unit::percent},
              {"Repeat entries: 5th percentile", 14, "repeat_entry_percent", "all", "p05", Unit::percent},
              {"Repeat entries: 95th percentile", 14, "repeat_entry_percent", "all", "p95", Unit::percent},
              {"Coming back into care: median", 14, "entries_financial_year", "re_entry", "p50", Unit::count},
              {"Coming back into care: 5th percentile", 14, "entries_financial_year", "re_entry", "p05", Unit::count},
              {"Coming back into care: 95th percentile", 14, "entries_financial_year", "re_entry", "p95", Unit::count},
              {"Children starting care: median", 14, "entries_financial_year", "all", "p50", Unit::count},
              {"Children starting care: 5th percentile", 14, "entries_financial_year", "all", "p05", Unit::count},
              {"Children starting care: 95th percentile", 14, "entries_financial_year", "all", "p95", Unit::count}});
}

void about_sheet(lxw_workbook* book, const Formats& f, const WorkbookContent& content,
                 const std::vector<std::pair<std::string, std::string>>& sheets) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, "About");
  worksheet_set_column(sheet, 0, 0, 26, nullptr);
  worksheet_set_column(sheet, 1, 1, 110, f.wrap);
  worksheet_write_string(sheet, 0, 0, content.title.c_str(), f.title);
  lxw_row_t r = 2;
  for (const auto& [what, value] : content.about) {
    worksheet_write_string(sheet, r, 0, what.c_str(), f.bold);
    worksheet_write_string(sheet, r++, 1, value.c_str(), f.wrap);
  }
  ++r;
  worksheet_write_string(sheet, r++, 0, "Sheets", f.bold);
  for (const auto& [name, description] : sheets) {
    worksheet_write_string(sheet, r, 0, name.c_str(), nullptr);
    worksheet_write_string(sheet, r++, 1, description.c_str(), f.wrap);
  }
}

void assumptions_sheet(lxw_workbook* book, const Formats& f, const std::vector<AssumptionTable>& tables) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Assumptions");
  worksheet_set_column(sheet, 0, 0, 44, f.wrap);
  worksheet_set_column(sheet, 1, 3, 34, f.wrap);
  lxw_row_t r = 0;
  for (const AssumptionTable& table : tables) {
    worksheet_write_string(sheet, r++, 0, table.title.c_str(), f.title);
    worksheet_write_string(sheet, r++, 0, table.note.c_str(), nullptr);
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      worksheet_write_string(sheet, r, col(c), table.header[c].c_str(), f.header);
    }
    ++r;
    for (const std::vector<Cell>& cells : table.rows) {
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].number) {
          worksheet_write_number(sheet, r, col(c), stored(*cells[c].number, cells[c].unit),
                                 f.quantile.at(cells[c].unit));
        } else {
          worksheet_write_string(sheet, r, col(c), cells[c].text.c_str(), f.wrap);
        }
      }
      ++r;
    }
    ++r;
  }
}

}  // namespace

void write_workbook(const std::filesystem::path& file, const WorkbookContent& content) {
  // Freed unless closed, should anything below throw.
  std::unique_ptr<lxw_workbook, decltype(&lxw_workbook_free)> owner(workbook_new(file.c_str()), &lxw_workbook_free);
  if (!owner) throw std::runtime_error("cannot create " + file.string());
  lxw_workbook* book = owner.get();
  const Formats f = make_formats(book);

  // Sheets in the order a reader meets them: families in the order of forecast.csv.
  std::vector<std::string> families;
  std::map<std::string, std::vector<const TableRow*>> by_family;
  if (content.forecast) {
    for (const TableRow& row : content.forecast->rows) {
      const std::string family = content.labels.metric(row.metric).family;
      if (!by_family.count(family)) families.push_back(family);
      by_family[family].push_back(&row);
    }
  }
  std::vector<std::pair<std::string, std::string>> sheets;
  for (const std::string& family : families) {
    sheets.emplace_back(sheet_name(family), "Forecast: median, mean and percentiles of the runs at each date");
  }
  const auto all_rows = [](const Table& table) {
    std::vector<const TableRow*> rows;
    for (const TableRow& row : table.rows) rows.push_back(&row);
    return rows;
  };
  const bool finance =
      content.forecast && std::any_of(content.forecast->rows.begin(), content.forecast->rows.end(),
                                      [](const TableRow& row) { return row.metric == "cost_financial_year"; });
  if (finance) {
    sheets.emplace_back("Finance", "Cost by financial year and cost line, with the budget, the probability of "
                                   "spending more than it and the expected overspend (the mean over runs of the "
                                   "cost above the budget, a run within it counting as none); a year covered in "
                                   "part is marked with its months and not compared with the whole year's budget");
  }
  const bool care_leavers =
      content.forecast && std::any_of(content.forecast->rows.begin(), content.forecast->rows.end(),
                                      [](const TableRow& row) { return row.metric == "care_leavers"; });
  if (care_leavers) {
    sheets.emplace_back("Care leavers by year", "Care leavers at each 31 March (in all, by age and staying put) and the cost "
                                        "of leaving-care support in the financial year ending then: median and 90% "
                                        "interval of the runs; a year covered in part is marked with its months");
  }
  // Repeat entries once the scenario brings children back into care ([re_entry]): some run has one
  // (or so few that disclosure control withheld the figure).
  const bool repeat_entries =
      content.forecast && std::any_of(content.forecast->rows.begin(), content.forecast->rows.end(),
                                      [&](const TableRow& row) {
                                        if (row.metric != "entries_financial_year" || row.category != "re_entry") {
                                          return false;
                                        }
                                        const std::optional<double>& most = row.values[content.forecast->statistic("p95")];
                                        return !most || *most > 0;
                                      });
  if (repeat_entries) {
    sheets.emplace_back("Repeat entries by year",
                        "Entries of children looked after before, in each financial year ending at a 31 March: "
                        "their percentage of the children starting care, their number and the number starting "
                        "care, median and 90% interval of the runs; a year covered in part is marked with its months");
  }
  if (content.comparison) sheets.emplace_back("Option comparison", "Each option's difference from the base scenario");
  if (content.history) sheets.emplace_back("Recorded", "Recorded figures before the forecast");
  sheets.emplace_back("Assumptions", "The scenario's assumptions in words");

  about_sheet(book, f, content, sheets);
  if (finance) finance_sheet(book, f, content);
  if (care_leavers) care_leavers_sheet(book, f, content);
  if (repeat_entries) repeat_entries_sheet(book, f, content);
  for (const std::string& family : families) {
    table_sheet(book, f, family, *content.forecast, by_family[family], content.labels, content.origin);
  }
  if (content.comparison) {
    table_sheet(book, f, "Option comparison", *content.comparison, all_rows(*content.comparison), content.labels,
                content.origin);
  }
  if (content.history) {
    table_sheet(book, f, "Recorded", *content.history, all_rows(*content.history), content.labels, content.origin);
  }
  assumptions_sheet(book, f, content.assumptions);

  const lxw_error error = workbook_close(owner.release());  // writes the file and frees the workbook
  if (error != LXW_NO_ERROR) throw std::runtime_error("cannot write " + file.string() + ": " + lxw_strerror(error));
}

}  // namespace carecast::report
