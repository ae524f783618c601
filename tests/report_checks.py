#!/usr/bin/env python3
"""Checks of the board pack that need Python, run by report_test.cpp.

    report_checks.py workbook FOLDER [--publish]   forecast.xlsx (published/forecast.xlsx with --publish)
                                                    holds the folder's CSV numbers
    report_checks.py options FOLDER                 report.html's option table and sentences match
                                                    comparison.csv
    report_checks.py dpi PNG...                     each PNG says 200 dpi
    report_checks.py not-blank PNG                  a screenshot shows something
    report_checks.py care-leavers-chart FOLDER      the care leavers chart's words match forecast.csv, and
                                                    it draws history.csv's recorded care leavers

Prints what is wrong and exits 1 on the first failure. The disclosure rule is written out here
independently of the C++ that applies it, so that the test checks the rule, not the code.
"""
import csv
import datetime as dt
import html.parser
import json
import math
import pathlib
import re
import struct
import sys

import openpyxl

PLOTS = pathlib.Path(__file__).resolve().parent.parent / "plots"
STATISTICS = {"mean": "Mean", "p05": "5th percentile", "p25": "25th percentile", "p50": "Median",
              "p75": "75th percentile", "p95": "95th percentile", "value": "Recorded"}


def fail(message):
    print(message)
    sys.exit(1)


def metric_units():
    with open(PLOTS / "metric_labels.csv", newline="") as handle:
        return {row["id"]: row["unit"] for row in csv.DictReader(handle)}


def count_metrics():
    return {metric for metric, unit in metric_units().items() if unit == "count"}


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def sheet_rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def suppressed(values):
    """Which recorded counts of a group the rule hides: those of 1 to 4, and when that is one count
    only, the smallest other non-zero count too."""
    hidden = [0 < v < 5 for v in values]
    if sum(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if v > 0 and not hidden[i]]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def round_to_5(value):
    return math.floor(abs(value) / 5 + 0.5) * 5 * (1 if value >= 0 else -1)


def check_table(book, sheet_names, csv_rows, statistics, has_option, origin, publish, counts, kind):
    """Every CSV row appears once in the sheets, with its numbers, or as published."""
    found = {}
    for name in sheet_names:
        for row in sheet_rows(book[name]):
            date = row["Date"].date() if isinstance(row["Date"], dt.datetime) else row["Date"]
            key = (row.get("Option") or "", row["Metric id"], row["Category id"], date.isoformat())
            suffix = " difference" if has_option else ""
            found[key] = [row.get(STATISTICS[s] + suffix) for s in statistics]
    if len(found) != len(csv_rows):
        fail(f"{kind}: the workbook has {len(found)} rows, the CSV {len(csv_rows)}")
    # Recorded counts: history, or a forecast's origin row, the same in every run. Grouped by
    # option, metric and date for the rule.
    groups = {}
    for line in csv_rows:
        values = [float(line[s]) for s in statistics]
        recorded = kind == "history" or (line["date"] == origin.isoformat() and len(set(values)) == 1)
        if publish and recorded and line["metric"] in counts:
            groups.setdefault((line.get("option", ""), line["metric"], line["date"]), []).append(line)
    hidden = set()
    for lines in groups.values():
        for line, hide in zip(lines, suppressed([float(line[statistics[0]]) for line in lines])):
            if hide:
                hidden.add(id(line))
    for line in csv_rows:
        key = (line.get("option", ""), line["metric"], line["category"], line["date"])
        if key not in found:
            fail(f"{kind}: no workbook row for {key}")
        is_recorded = any(line in lines for lines in groups.values())
        unit = UNITS.get(line["metric"], "count")
        for statistic, actual in zip(statistics, found[key]):
            value = float(line[statistic])
            # A probability over runs is one number, in the mean column only; percentages are
            # stored as fractions.
            if unit == "probability" and statistic not in ("mean", "value"):
                if actual is not None:
                    fail(f"{kind}: {key} {statistic}: {actual!r} repeats a probability in a percentile column")
                continue
            if unit == "percent":
                value /= 100
            if id(line) in hidden:
                expected = "c"
            elif publish and line["metric"] in counts and not is_recorded:
                expected = round_to_5(value)
            else:
                expected = value
            if expected == "c" or actual == "c":
                if expected != actual:
                    fail(f"{kind}: {key} {statistic}: workbook {actual!r}, expected {expected!r}")
                continue
            if not isinstance(actual, (int, float)):
                fail(f"{kind}: {key} {statistic}: {actual!r} is not a number")
            if not math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-9):
                fail(f"{kind}: {key} {statistic}: workbook {actual}, expected {expected}")
    return found


UNITS = metric_units()
# The number format each unit must have: a % format on a fraction, a £ format on money.
FORMATS = {"percent": "0.0%", "probability": "0.0%", "pounds": '"£"#,##0;-"£"#,##0'}


def check_formats(book, special):
    """Every number's format fits its unit, read from the cell as Excel will show it."""
    checked = 0
    for name in book.sheetnames:
        if name in special:
            continue
        rows = book[name].iter_rows()
        header = [cell.value for cell in next(rows)]
        metric_column = header.index("Metric id")
        for row in rows:
            unit = UNITS.get(row[metric_column].value, "count")
            for cell in row:
                if not isinstance(cell.value, (int, float)) or cell.is_date:
                    continue
                if unit in FORMATS and cell.number_format != FORMATS[unit]:
                    fail(f"sheet {name} {cell.coordinate}: {unit} with format {cell.number_format!r}, "
                         f"expected {FORMATS[unit]!r}")
                if unit == "percent" and not -1.5 <= cell.value <= 1.5:
                    fail(f"sheet {name} {cell.coordinate}: a percentage stored as {cell.value}, not a fraction")
                checked += 1
    return checked


def check_financial_years(book, origin):
    """Totals over a financial year say how much of it the forecast covers."""
    for name in book.sheetnames:
        if name in ("About", "Assumptions", "Finance") + YEAR_SHEETS:  # checked against the CSV on their own
            continue
        for row in sheet_rows(book[name]):
            if row["Metric id"] != "cost_financial_year":
                continue
            date = row["Date"].date() if isinstance(row["Date"], dt.datetime) else row["Date"]
            if row["Financial year"] != financial_year(date, origin):
                fail(f"sheet {name}: {row['Metric id']} at {date}: financial year {row['Financial year']!r}, "
                     f"expected {financial_year(date, origin)!r}")


def check_finance(book, forecast, origin):
    """The Finance sheet: one row per financial year and cost line, as forecast.csv has them, money
    in a £ format and the probability of overspending as a fraction with a % format."""
    costs = [r for r in forecast if r["metric"] == "cost_financial_year" and r["date"] > origin.isoformat()]
    if not costs:
        if "Finance" in book.sheetnames:
            fail("a Finance sheet without costs")
        return
    if "Finance" not in book.sheetnames:
        fail("no Finance sheet, though the forecast has costs")
    over = {r["date"]: float(r["mean"]) for r in forecast
            if r["metric"] == "budget_exceedance_probability" and r["category"] == "all"}
    overspend = {r["date"]: float(r["mean"]) for r in forecast
                 if r["metric"] == "budget_overspend" and r["category"] == "all"}
    expected = {(financial_year(dt.date.fromisoformat(r["date"]), origin), r["category"]): r for r in costs}
    rows = list(book["Finance"].iter_rows())
    header = [cell.value for cell in rows[0]]
    column = {name: i for i, name in enumerate(header)}
    if len(rows) - 1 != len(expected):
        fail(f"Finance: {len(rows) - 1} rows, forecast.csv has {len(expected)} financial years and cost lines")
    for row in rows[1:]:
        key = (row[column["Financial year"]].value, row[column["Category id"]].value)
        if key not in expected:
            fail(f"Finance: no forecast.csv row for {key}")
        line = expected[key]
        for name, statistic in (("Median", "p50"), ("Mean", "mean"), ("5th percentile", "p05"), ("95th percentile", "p95")):
            cell = row[column[name]]
            if not math.isclose(cell.value, float(line[statistic]), rel_tol=1e-12, abs_tol=1e-9):
                fail(f"Finance {key} {name}: {cell.value}, forecast.csv {line[statistic]}")
            if cell.number_format != FORMATS["pounds"]:
                fail(f"Finance {key} {name}: format {cell.number_format!r}")
        budget = row[column["Budget"]]
        probability = row[column["Probability of spending more than the budget"]]
        if budget.value is not None:
            if line["category"] != "all" or budget.number_format != FORMATS["pounds"]:
                fail(f"Finance {key}: budget {budget.value!r} in format {budget.number_format!r}")
            if "month" in key[0]:
                # A part year is not set against the whole year's budget: that would show a false saving.
                for name in ("Probability of spending more than the budget", "Expected overspend"):
                    if row[column[name]].value != "not compared: part year":
                        fail(f"Finance {key}: a part year compared with the whole year's budget: "
                             f"{name} {row[column[name]].value!r}")
                continue
            if line["date"] not in over:
                if probability.value is not None:
                    fail(f"Finance {key}: a probability over budget {probability.value} forecast.csv does not give")
                continue
            if not math.isclose(probability.value, over[line["date"]], abs_tol=1e-12):
                fail(f"Finance {key}: probability over budget {probability.value}, forecast.csv {over[line['date']]}")
            if probability.number_format != FORMATS["probability"]:
                fail(f"Finance {key}: probability in format {probability.number_format!r}")
            expected_overspend = row[column["Expected overspend"]]
            if (expected_overspend.value is None
                    or not math.isclose(expected_overspend.value, overspend[line["date"]], abs_tol=1e-6)):
                fail(f"Finance {key}: expected overspend {expected_overspend.value}, forecast.csv "
                     f"{overspend.get(line['date'])}")
            if expected_overspend.number_format != FORMATS["pounds"]:
                fail(f"Finance {key}: expected overspend in format {expected_overspend.number_format!r}")


CARE_LEAVERS_SHEET = "Care leavers by year"
CARE_LEAVERS_COLUMNS = [("Care leavers: median", "care_leavers", "all", "p50"),
                        ("Care leavers: 5th percentile", "care_leavers", "all", "p05"),
                        ("Care leavers: 95th percentile", "care_leavers", "all", "p95"),
                        ("Aged 18 to 20: median", "care_leavers", "18_to_20", "p50"),
                        ("Aged 21 to 25: median", "care_leavers", "21_to_25", "p50"),
                        ("Staying put: median", "staying_put", "all", "p50"),
                        ("Leaving-care cost in the year: median", "cost_financial_year", "care_leavers", "p50"),
                        ("Leaving-care cost: 5th percentile", "cost_financial_year", "care_leavers", "p05"),
                        ("Leaving-care cost: 95th percentile", "cost_financial_year", "care_leavers", "p95")]
REPEAT_ENTRIES_SHEET = "Repeat entries by year"
REPEAT_ENTRIES_COLUMNS = [("Repeat entries (% of entries): median", "repeat_entry_percent", "all", "p50"),
                          ("Repeat entries: 5th percentile", "repeat_entry_percent", "all", "p05"),
                          ("Repeat entries: 95th percentile", "repeat_entry_percent", "all", "p95"),
                          ("Coming back into care: median", "entries_financial_year", "re_entry", "p50"),
                          ("Coming back into care: 5th percentile", "entries_financial_year", "re_entry", "p05"),
                          ("Coming back into care: 95th percentile", "entries_financial_year", "re_entry", "p95"),
                          ("Children starting care: median", "entries_financial_year", "all", "p50"),
                          ("Children starting care: 5th percentile", "entries_financial_year", "all", "p05"),
                          ("Children starting care: 95th percentile", "entries_financial_year", "all", "p95")]
YEAR_SHEETS = (CARE_LEAVERS_SHEET, REPEAT_ENTRIES_SHEET)


def check_year_sheet(book, forecast, origin, publish, name, columns, expected):
    """A sheet by financial year: one row per 31 March after the origin with the first column's
    metric in forecast.csv, each number that row's (a count rounded to 5 when published, a
    percentage stored as a fraction), in its unit's format. `expected` says whether the sheet should
    be there."""
    def is_year_end(date):
        return date.endswith("-03-31") and date > origin.isoformat()

    metrics = {metric for _, metric, _, _ in columns}
    rows = {(r["metric"], r["category"], r["date"]): r for r in forecast
            if r["metric"] in metrics and is_year_end(r["date"])}
    _, first_metric, first_category, _ = columns[0]
    dates = sorted({d for m, c, d in rows if (m, c) == (first_metric, first_category)})
    if not expected:
        if name in book.sheetnames:
            fail(f"a {name} sheet, though the forecast has nothing for it")
        return
    if name not in book.sheetnames:
        fail(f"no {name} sheet, though the forecast has {first_metric} {first_category}")
    sheet = sheet_rows(book[name])
    if len(sheet) != len(dates):
        fail(f"{name}: {len(sheet)} rows, forecast.csv has {len(dates)} 31 Marches with {first_metric}")
    cells = list(book[name].iter_rows())[1:]
    header = [c.value for c in list(book[name].iter_rows())[0]]
    if header[2:] != [column for column, _, _, _ in columns]:
        fail(f"{name}: columns {header}")
    for date, row, line in zip(dates, sheet, cells):
        shown = row["31 March"].date() if isinstance(row["31 March"], dt.datetime) else row["31 March"]
        if shown.isoformat() != date or row["Financial year"] != financial_year(dt.date.fromisoformat(date), origin):
            fail(f"{name}: row {shown} {row['Financial year']!r}, expected {date}")
        for column, metric, category, statistic in columns:
            source = rows.get((metric, category, date))
            if source is None:
                if row[column] is not None:
                    fail(f"{name} {date} {column}: {row[column]}, forecast.csv has no {metric} {category}")
                continue
            value = float(source[statistic])
            unit = UNITS.get(metric, "count")
            if unit == "percent":
                expected_value = value / 100
            elif unit == "count" and publish:
                expected_value = round_to_5(value)
            else:
                expected_value = value
            if row[column] is None or not math.isclose(row[column], expected_value, rel_tol=1e-12, abs_tol=1e-9):
                fail(f"{name} {date} {column}: {row[column]}, forecast.csv {metric} {category} "
                     f"{statistic} gives {expected_value}")
            cell = line[header.index(column)]
            if unit in FORMATS and cell.number_format != FORMATS[unit]:
                fail(f"{name} {date} {column}: format {cell.number_format!r}, expected {FORMATS[unit]!r}")


def check_care_leavers(book, forecast, origin, publish):
    """The Care leavers by year sheet, there when the forecast has care leavers."""
    expected = any(r["metric"] == "care_leavers" for r in forecast)
    check_year_sheet(book, forecast, origin, publish, CARE_LEAVERS_SHEET, CARE_LEAVERS_COLUMNS, expected)


def check_repeat_entries(book, forecast, origin, publish):
    """The Repeat entries by year sheet, there when some run has a child coming back into care."""
    expected = any(r["metric"] == "entries_financial_year" and r["category"] == "re_entry" and float(r["p95"]) > 0
                   for r in forecast)
    check_year_sheet(book, forecast, origin, publish, REPEAT_ENTRIES_SHEET, REPEAT_ENTRIES_COLUMNS, expected)


def check_care_leavers_chart(folder):
    """The care leavers chart says what forecast.csv holds: the last 31 March's median and interval,
    and the last whole financial year's leaving-care cost; and draws the recorded care leavers of
    history.csv, in all and by age band."""
    sys.path.insert(0, str(PLOTS))
    import care_leavers
    import carecast_charts as cc
    run = cc.Folder(folder)
    chart = care_leavers.care_leavers(run, "")
    forecast = read_csv(folder / "forecast.csv")
    marches = [r for r in forecast if r["metric"] == "care_leavers" and r["category"] == "all"
               and r["date"].endswith("-03-31")]
    end = max(marches, key=lambda r: r["date"])
    words = (f"median is {float(end['p50']):,.0f} care leavers and 90% of runs lie between "
             f"{float(end['p05']):,.0f} and {float(end['p95']):,.0f}")
    if words not in chart.caption:
        fail(f"care leavers chart: caption {chart.caption!r} does not say {words!r}")
    if not chart.title.startswith("Care leavers aged 18 to 25"):
        fail(f"care leavers chart: title {chart.title!r}")
    origin = run.origin()
    # Each recorded care_leavers series before the origin (history.csv) is drawn as it is recorded.
    history = read_csv(folder / "history.csv") if (folder / "history.csv").is_file() else []
    drawn = {line.get_label(): list(zip(line.get_xdata(), line.get_ydata())) for line in chart.figure.axes[0].get_lines()}
    for category, label in [("all", "All: recorded"), ("18_to_20", "Aged 18 to 20: recorded"),
                            ("21_to_25", "Aged 21 to 25: recorded")]:
        recorded = sorted((dt.date.fromisoformat(r["date"]), float(r["value"])) for r in history
                          if r["metric"] == "care_leavers" and r["category"] == category
                          and dt.date.fromisoformat(r["date"]) < origin)
        if not recorded:
            continue
        if label not in drawn:
            fail(f"care leavers chart: no line {label!r} for the recorded {category} (lines: {sorted(drawn)})")
        if [(d, float(v)) for d, v in drawn[label] if d < origin] != recorded:
            fail(f"care leavers chart: {label!r} draws {drawn[label]}, history.csv holds {recorded}")
    costs = [r for r in forecast if r["metric"] == "cost_financial_year" and r["category"] == "care_leavers"
             and r["date"].endswith("-03-31") and dt.date(int(r["date"][:4]) - 1, 4, 1) > origin]
    if costs:
        last = max(costs, key=lambda r: r["date"])
        said = f"median {cc.money(float(last['p50']))} (90% interval {cc.money(float(last['p05']))}-{cc.money(float(last['p95']))})"
        if said not in chart.caption:
            fail(f"care leavers chart: caption {chart.caption!r} does not say the cost {said!r}")
    cc.plt.close(chart.figure)
    print(f"{folder}: the care leavers chart says {words}")


def check_workbook(folder, publish):
    workbook = folder / "published" / "forecast.xlsx" if publish else folder / "forecast.xlsx"
    book = openpyxl.load_workbook(workbook)
    counts = count_metrics()
    origin = dt.date.fromisoformat(json.loads((folder / "run.json").read_text())["origin_date"])
    special = {"About", "Assumptions", "Option comparison", "Recorded", "Finance", *YEAR_SHEETS}
    for name in book.sheetnames:
        sheet = book[name]
        if name not in ("About", "Assumptions") and sheet.freeze_panes != "A2":
            fail(f"sheet {name}: header row not frozen ({sheet.freeze_panes})")
    if "Assumptions" not in book.sheetnames:
        fail("no Assumptions sheet")
    forecast_sheets = [n for n in book.sheetnames if n not in special]
    forecast = folder / "forecast.csv"
    compared = json.loads((folder / "run.json").read_text()).get("compared_scenarios")
    if not forecast.is_file() and compared:
        forecast = folder / compared[0]["folder"] / "forecast.csv"  # a compare folder's base
    if forecast.is_file():
        check_table(book, forecast_sheets, read_csv(forecast),
                    ["mean", "p05", "p25", "p50", "p75", "p95"], False, origin, publish, counts, "forecast")
    if (folder / "comparison.csv").is_file():
        check_table(book, ["Option comparison"], read_csv(folder / "comparison.csv"), ["mean", "p05", "p50", "p95"],
                    True, origin, publish, counts, "comparison")
    if (folder / "history.csv").is_file():
        found = check_table(book, ["Recorded"], read_csv(folder / "history.csv"), ["value"], False, origin, publish,
                            counts, "history")
        if publish and not any(v == ["c"] for v in found.values()):
            fail("history: no count was suppressed, though the fixture has counts of 1-4")
    formatted = check_formats(book, {"About", "Assumptions", "Finance", *YEAR_SHEETS})
    check_financial_years(book, origin)
    if forecast.is_file():
        check_finance(book, read_csv(forecast), origin)
        check_care_leavers(book, read_csv(forecast), origin, publish)
        check_repeat_entries(book, read_csv(forecast), origin, publish)
    print(f"{workbook}: {formatted} number formats fit their units; matches the CSV files ({len(book.sheetnames)} sheets)")


class OptionPage(html.parser.HTMLParser):
    """The option appraisal as a reader sees it: each table cell and list item under the options
    heading, with the comparison.csv row its data- attributes name and its text."""

    def __init__(self):
        super().__init__()
        self.cells = []      # (table class, option, attributes, text)
        self.sentences = []  # (option, attributes, text)
        self.table = None
        self.option = None
        self.current = None  # ("cell" | "item", attributes, text parts)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = attrs.get("class")
        elif tag == "tr":
            self.option = attrs.get("data-option")
        elif tag == "td" and self.table in ("options", "options-by-year") and "data-metric" in attrs:
            self.current = ("cell", attrs, [])
        elif tag == "li" and "data-option" in attrs:
            self.current = ("item", attrs, [])
        elif tag == "br" and self.current:
            self.current[2].append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif self.current and tag in ("td", "li"):
            kind, attrs, parts = self.current
            text = "".join(parts)
            if kind == "cell":
                self.cells.append((self.table, self.option, attrs, text))
            else:
                self.sentences.append((attrs["data-option"], attrs, text))
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.current[2].append(data)


NUMBER = r"[+-]?£?[\d,]+(?:\.\d+)?[km]?"


def parse_shown(text):
    """A number as the report shows it, and half its last shown digit: the rounding allowed."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").lstrip("£").replace(",", "")
    scale = {"k": 1e3, "m": 1e6}.get(body[-1:], 1)
    body = body.rstrip("km")
    decimals = len(body.split(".")[1]) if "." in body else 0
    return sign * float(body) * scale, 0.5 * 10 ** -decimals * scale


def agrees(shown, value, what):
    number, tolerance = parse_shown(shown)
    if abs(number - value) > tolerance * (1 + 1e-9) + 1e-9:
        fail(f"{what}: the report shows {shown}, comparison.csv gives {value}")


def financial_year(date, origin):
    """'2025-26', with the months covered when the forecast covers part of the year."""
    end = dt.date(date.year if date.month <= 3 else date.year + 1, 3, 31)
    start = dt.date(end.year - 1, 4, 1)
    if start <= origin:
        months = (date.year - origin.year) * 12 + date.month - origin.month
    else:
        months = (date.year - start.year) * 12 + date.month - start.month + 1
    label = f"{end.year - 1}-{end.year % 100:02d}"
    return label + (f" ({months} month{'s' if months != 1 else ''})" if months < 12 else "")


# The paired difference whose sign each probability counts.
PAIRED_DIFFERENCE = {"probability_cheaper": "cost_cumulative",
                     "probability_fewer_3plus_placements": "children_reaching_3_placements_total",
                     "probability_fewer_unmet_preference": "unmet_preference_total"}


def check_options(folder):
    rows = read_csv(folder / "comparison.csv")
    origin = dt.date.fromisoformat(json.loads((folder / "run.json").read_text())["origin_date"])
    index = {(r["option"], r["metric"], r["category"], r["date"]): r for r in rows}
    options = list(dict.fromkeys(r["option"] for r in rows))
    page = OptionPage()
    page.feed((folder / "report.html").read_text())
    summary_rows = list(dict.fromkeys(o for t, o, _, _ in page.cells if t == "options"))
    if summary_rows != options:
        fail(f"the option table's rows {summary_rows} are not the options of comparison.csv {options}")
    checked = 0
    for table, option, attrs, text in page.cells:
        metric, category, date = attrs["data-metric"], attrs["data-category"], attrs.get("data-date")
        median, _, interval = text.partition("\n")
        if metric == "payback":
            cumulative = sorted((r for r in rows if r["option"] == option and r["metric"] == "cost_cumulative"
                                 and r["category"] == "all"), key=lambda r: r["date"])
            horizon = dt.date.fromisoformat(cumulative[-1]["date"])

            def paid_back(statistic):
                above = [i for i, r in enumerate(cumulative) if float(r[statistic]) > 0]
                if not above:
                    return "from the start"
                if above[-1] == len(cumulative) - 1:
                    return "not by " + f"{horizon.day} {horizon:%B} {horizon.year}"
                when = dt.date.fromisoformat(cumulative[above[-1] + 1]["date"])
                year_end = dt.date(when.year if when.month <= 3 else when.year + 1, 3, 31)
                return financial_year(min(year_end, horizon), origin)
            expected_interval = f"{paid_back('p05')} to {paid_back('p95')}"
            if paid_back("p05") == paid_back("p95"):
                expected_interval = ""
            if (median, interval) != (paid_back("p50"), expected_interval):
                fail(f"{option}: pays for itself by {median!r} ({interval!r}), comparison.csv gives "
                     f"{paid_back('p50')!r} ({expected_interval!r})")
            checked += 1
            continue
        if date is None:
            if median != "n/a":
                fail(f"{option} {metric}: shown as {median!r} with no comparison.csv row")
            continue
        row = index.get((option, metric, category, date))
        if row is None:
            fail(f"{option} {metric} {category} {date}: no such row in comparison.csv")
        if metric.startswith("probability_"):
            agrees(median, float(row["mean"]), f"{option} {metric}")
            if interval:
                fail(f"{option} {metric}: a probability has no interval, shown {interval!r}")
        else:
            agrees(median, float(row["p50"]), f"{option} {metric} median")
            low, high = interval.split(" to ")
            agrees(low, float(row["p05"]), f"{option} {metric} 5th percentile")
            agrees(high, float(row["p95"]), f"{option} {metric} 95th percentile")
        checked += 1
    if table_years := [t for t, _, _, _ in page.cells if t == "options-by-year"]:
        header = re.findall(r'<table class="options-by-year">\n<tr><th>Option</th>(.*?)</tr>',
                            (folder / "report.html").read_text())
        shown_years = re.findall(r"<th>(.*?)</th>", header[0]) if header else []
        dates = sorted({r["date"] for r in rows if r["metric"] == "cost_financial_year" and r["date"] > origin.isoformat()})
        expected_years = [financial_year(dt.date.fromisoformat(d), origin) for d in dates]
        if shown_years != expected_years:
            fail(f"financial years shown {shown_years}, expected {expected_years}")
    for option, attrs, text in page.sentences:
        for wrong in ("changes by", "in every run", "in the month in the month"):
            if wrong in text:
                fail(f"{option}: {text!r} says {wrong!r}")
        if attrs.get("data-none") == "yes":
            continue
        row = index[(option, attrs["data-metric"], attrs["data-category"], attrs["data-date"])]
        if attrs["data-metric"].startswith("probability_"):
            p = float(row["mean"])
            found = re.search(r"in (?:only )?(\d+)% of paired runs: probability ([\d.]+)\.$", text)
            if not found:
                fail(f"{option}: {text!r} states no probability")
            agrees(found.group(2), p, f"{option}: {text!r}")
            if abs(int(found.group(1)) - 100 * p) > 0.5 + 1e-9:
                fail(f"{option}: {text!r} gives a share other than {p}")
            if 0.2 < p < 0.8:
                fail(f"{option}: {text!r} states a probability near even")
            if ("only" in text) != (p <= 0.2):
                fail(f"{option}: {text!r} misreads the probability {p}")
            # "Fewer in only 0% of runs" where the option changes nothing would mislead.
            difference = index.get((option, PAIRED_DIFFERENCE[attrs["data-metric"]], "all", attrs["data-date"]))
            if difference is not None and float(difference["p05"]) == 0 and float(difference["p95"]) == 0:
                fail(f"{option}: {text!r}, though at least 90% of paired runs show no change")
        else:
            found = re.search(rf"(higher|lower) than the base's: median ({NUMBER}), 90% interval ({NUMBER}) to "
                              rf"({NUMBER})\.$", text)
            if not found:
                fail(f"{option}: {text!r} states no interval")
            direction, median, low, high = found.groups()
            agrees(median, float(row["p50"]), f"{option}: {text!r}")
            agrees(low, float(row["p05"]), f"{option}: {text!r}")
            agrees(high, float(row["p95"]), f"{option}: {text!r}")
            if direction == "higher" and not float(row["p05"]) > 0:
                fail(f"{option}: {text!r}, though the interval does not exclude zero")
            if direction == "lower" and not float(row["p95"]) < 0:
                fail(f"{option}: {text!r}, though the interval does not exclude zero")
        checked += 1
    # No difference that matters left unsaid: every clear difference in the table has its sentence.
    said = {(o, a.get("data-metric"), a.get("data-category"), a.get("data-date")) for o, a, _ in page.sentences}
    for table, option, attrs, text in page.cells:
        key = (option, attrs["data-metric"], attrs["data-category"], attrs.get("data-date"))
        row = index.get(key)
        if row is None or attrs["data-metric"] == "payback":
            continue
        if attrs["data-metric"].startswith("probability_"):
            clear = not 0.2 < float(row["mean"]) < 0.8
        else:
            clear = float(row["p05"]) > 0 or float(row["p95"]) < 0
        if clear and key not in said:
            fail(f"{option}: {attrs['data-metric']} {attrs.get('data-date')} is a clear difference with no sentence")
    print(f"{folder / 'report.html'}: {checked} option figures and sentences match comparison.csv")


def png_dpi(path):
    data = path.read_bytes()
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", data[position + 8:position + 17])
            return round(x * 0.0254) if unit == 1 else None
        position += 12 + length
    return None


def check_dpi(paths):
    for path in paths:
        dpi = png_dpi(pathlib.Path(path))
        if dpi != 200:
            fail(f"{path}: {dpi} dpi, expected 200")
    print(f"{len(paths)} PNG files at 200 dpi")


def check_not_blank(path):
    import matplotlib.image
    import numpy
    pixels = matplotlib.image.imread(path)[:, :, :3]
    inked = (pixels < 0.9).any(axis=2).mean()
    colours = len(numpy.unique((pixels * 255).astype(int).reshape(-1, 3), axis=0))
    if inked < 0.02 or colours < 20:
        fail(f"{path}: looks blank ({inked:.1%} of pixels inked, {colours} colours)")
    print(f"{path}: {inked:.1%} of pixels inked, {colours} colours")


def check_finance_page(folder):
    """The page's cost by financial year against the forecast it reports (a compare folder's base):
    every year, part years marked, the budget, the probability of overspending and the expected
    overspend as the CSV gives them."""
    run = json.loads((folder / "run.json").read_text())
    origin = dt.date.fromisoformat(run["origin_date"])
    forecast_path = folder / "forecast.csv"
    if not forecast_path.exists():
        forecast_path = folder / run["compared_scenarios"][0]["folder"] / "forecast.csv"
    forecast = read_csv(forecast_path)
    page = (folder / "report.html").read_text()
    table = re.search(r'<table class="finance">(.*?)</table>', page, re.S)
    if not table:
        fail("no cost by financial year on the page")
    header = [h for h in re.findall(r"<th>(.*?)</th>", table.group(1))]
    shown = {}
    for year, cells in re.findall(r'<tr data-year="(.*?)">(.*?)</tr>', table.group(1), re.S):
        shown[html.unescape(year)] = dict(zip(header, (html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells))))
    def rows_of(metric):
        return {financial_year(dt.date.fromisoformat(r["date"]), origin): r for r in forecast
                if r["metric"] == metric and r["category"] == "all" and r["date"] > origin.isoformat()}
    costs, over, overspend = rows_of("cost_financial_year"), rows_of("budget_exceedance_probability"), \
        rows_of("budget_overspend")
    if list(shown) != list(costs):
        fail(f"financial years on the page {list(shown)}, forecast.csv gives {list(costs)}")
    if over and "Expected overspend" not in header:
        fail("budgets without an expected overspend on the page")
    for year, cells in shown.items():
        agrees(cells["Forecast cost (median)"], float(costs[year]["p50"]), f"{year} cost")
        if year in over and "month" in year:
            for name in ("Probability of spending more than the budget", "Expected overspend"):
                if cells[name] != "not compared: part year":
                    fail(f"{year}: a part year compared with the whole year's budget: {name} {cells[name]!r}")
        elif year in over:
            agrees(cells["Probability of spending more than the budget"], float(over[year]["mean"]),
                   f"{year} probability over budget")
            agrees(cells["Expected overspend"], float(overspend[year]["mean"]), f"{year} expected overspend")
    print(f"{folder / 'report.html'}: {len(shown)} financial years match {forecast_path.name}")


def check_option_chart(folder):
    """The option comparison chart drawn at the report's size: panel titles inside the figure and
    clear of each other, no axis whose tick labels repeat ("-0 0 0"), no panel where no option
    changes anything, and a headline that never denies a difference a panel shows."""
    plots = pathlib.Path(__file__).resolve().parent.parent / "plots"
    sys.path.insert(0, str(plots))
    import carecast_charts as cc
    import option_comparison
    chart = option_comparison.option_comparison(cc.Folder(folder), "")
    figure = chart.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    bounds = figure.bbox
    axes = [ax for ax in figure.axes if ax.get_visible()]
    # A panel's title sits left, centre or right (the style sets where): whichever has text.
    titles = [(text.get_text(), text.get_window_extent(renderer)) for ax in axes
              for text in (ax.title, ax._left_title, ax._right_title) if text.get_text()]
    if len(titles) != len(axes):
        fail(f"{len(axes)} panels but {len(titles)} panel titles")
    for text, box in titles:
        if box.x0 < bounds.x0 - 1 or box.x1 > bounds.x1 + 1:
            fail(f"panel title {text!r} is cut off by the figure's edge")
    for i, (text, box) in enumerate(titles):
        for other, other_box in titles[i + 1:]:
            if box.overlaps(other_box):
                fail(f"panel titles {text!r} and {other!r} overlap")
    clear = False
    for ax in axes:
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()
                 and ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]]
        if len(shown) != len(set(shown)):
            fail(f"a panel's tick labels repeat: {shown}")
    rows = read_csv(folder / "comparison.csv")
    for metric, date, panel_rows in option_comparison.panels_to_draw(cc.Folder(folder))[0]:
        csv_rows = [r for r in rows if r["metric"] == metric and r["category"] == "all" and r["date"] == date.isoformat()]
        if all(float(r["p05"]) == 0 and float(r["p95"]) == 0 for r in csv_rows):
            fail(f"a panel for {metric}, which no option changes")
        clear = clear or any(float(r["p05"]) > 0 or float(r["p95"]) < 0 for r in csv_rows)
    if clear and chart.title.startswith("No option"):
        fail(f"the headline {chart.title!r} denies a difference a panel shows")
    print(f"{folder}: option chart with {len(axes)} panels, titles clear, ticks distinct")


def check_cost_drivers(folder):
    """The cost-driver chart of a reported compare folder: drawn, and for each option its cost lines
    are comparison.csv's mean differences summed over the financial years, adding up to the mean
    net cost to the horizon."""
    plots = pathlib.Path(__file__).resolve().parent.parent / "plots"
    sys.path.insert(0, str(plots))
    import carecast_charts as cc
    import option_cost_drivers
    index = {r["chart"]: r for r in read_csv(folder / "charts" / "index.csv")}
    if index.get("option_cost_drivers", {}).get("skipped", "missing") != "":
        fail(f"the cost-driver chart was not drawn: {index.get('option_cost_drivers')}")
    rows = read_csv(folder / "comparison.csv")
    origin = json.loads((folder / "run.json").read_text())["origin_date"]
    drivers = option_cost_drivers.drivers(cc.Folder(folder))
    for option in dict.fromkeys(r["option"] for r in rows):
        expected = {}
        for r in rows:
            if (r["option"] == option and r["metric"] == "cost_financial_year" and r["category"] != "all"
                    and r["date"] > origin):
                expected[r["category"]] = expected.get(r["category"], 0.0) + float(r["mean"])
        shown = dict(drivers.get(option, []))
        if set(shown) != set(expected):
            fail(f"{option}: cost lines {sorted(shown)}, comparison.csv has {sorted(expected)}")
        for line, value in expected.items():
            if not math.isclose(shown[line], value, rel_tol=1e-9, abs_tol=1e-6):
                fail(f"{option} {line}: {shown[line]}, comparison.csv sums to {value}")
        cumulative = max((r for r in rows if r["option"] == option and r["metric"] == "cost_cumulative"
                          and r["category"] == "all"), key=lambda r: r["date"])
        if not math.isclose(sum(shown.values()), float(cumulative["mean"]), rel_tol=1e-6, abs_tol=1.0):
            fail(f"{option}: cost lines add up to {sum(shown.values())}, the mean net cost to the horizon is "
                 f"{cumulative['mean']}")
    print(f"{folder}: cost drivers of {len(drivers)} options match comparison.csv")


def check_backtest_page(folder):
    """A reported SSDA903 backtest: every category's scores on the page as backtest_summary.csv gives
    them, the sentence on the total true to it, and the total's chart drawn with the counts of month
    ends inside its intervals that backtest.csv gives."""
    summary = {(r["method"], r["category"]): r for r in read_csv(folder / "backtest_summary.csv")}
    page = (folder / "report.html").read_text()
    shown_rows = re.findall(r'<tr data-category="(.*?)">(.*?)</tr>', page, re.S)
    categories = [c for m, c in summary if m == "carecast"]
    if [html.unescape(c) for c, _ in shown_rows] != categories:
        fail(f"categories on the page {[c for c, _ in shown_rows]}, backtest_summary.csv has {categories}")

    def as_number(text):
        return None if text in ("-", "n/a") else float(text.rstrip("%"))

    for category, cells in shown_rows:
        values = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
        carecast = summary[("carecast", category)]
        expected = [(values[1], float(carecast["forecasts"]), 0.5),
                    (values[2], 100 * float(carecast["coverage_50"]), 0.5),
                    (values[3], 100 * float(carecast["coverage_90"]), 0.5),
                    (values[4], float(carecast["median_absolute_percentage_error"]), 0.05),
                    (values[5], float(carecast["mean_crps"]), 0.05 * max(1.0, float(carecast["mean_crps"])))]
        for method, shown in (("persistence", values[6]), ("mean_rate", values[7])):
            crps = float(summary[(method, category)]["mean_crps"])
            expected.append((shown, crps, 0.05 * max(1.0, crps)))
        for shown, value, tolerance in expected:
            number = as_number(shown)
            if number is None or abs(number - value) > tolerance + 1e-9:
                fail(f"{category}: the page shows {shown!r}, backtest_summary.csv gives {value}")
    total = summary[("carecast", "all")]
    finding = re.search(r'<p class="finding" data-category="all">(.*?)</p>', page, re.S)
    if not finding:
        fail("no sentence on the total")
    text = html.unescape(finding.group(1))
    found = re.search(r"inside carecast's 90% interval in (\d+)% .* inside its 50% interval in (\d+)%", text)
    if not found or int(found.group(1)) != round(100 * float(total["coverage_90"])) \
            or int(found.group(2)) != round(100 * float(total["coverage_50"])):
        fail(f"the sentence {text!r} misstates the coverage {total['coverage_90']}, {total['coverage_50']}")
    carecast_crps, persistence_crps = float(total["mean_crps"]), float(summary[("persistence", "all")]["mean_crps"])
    verdict = ("better than" if carecast_crps < 0.95 * persistence_crps else
               "worse than" if carecast_crps > 1.05 * persistence_crps else "about as well as")
    if verdict + " assuming no change" not in text:
        fail(f"the sentence {text!r} does not say carecast forecast {verdict} persistence")
    rows = [r for r in read_csv(folder / "backtest.csv") if r["method"] == "carecast" and r["category"] == "all"]
    in_90 = sum(float(r["p05"]) <= float(r["truth"]) <= float(r["p95"]) for r in rows)
    index = {r["chart"]: r for r in read_csv(folder / "charts" / "index.csv")}
    title = index.get("backtest_all", {}).get("title", "")
    if f"in {in_90} of {len(rows)} months" not in title:
        fail(f"the total's chart {title!r} does not give {in_90} of {len(rows)} months inside the 90% interval")
    print(f"{folder / 'report.html'}: {len(shown_rows)} categories match backtest_summary.csv")


def check_part_years(folder):
    """No part financial year charted as a whole one: on the stability chart, moves per child-year
    in a financial year that began before the forecast start are labelled with their months; the
    cost chart draws whole years only and names the part years it leaves out."""
    plots = pathlib.Path(__file__).resolve().parent.parent / "plots"
    sys.path.insert(0, str(plots))
    import carecast_charts as cc
    import cost
    import stability
    run = cc.Folder(folder)
    origin = run.origin()
    chart = stability.stability(run, "")
    moves = [ax for ax in chart.figure.axes if "moves" in ax.get_title(loc="left").lower()
             or "moves" in ax.get_title().lower()]
    if not moves:
        fail("the stability chart has no moves panel")
    checked = 0
    for tick in moves[0].get_xticklabels():
        label = tick.get_text()
        if not label:
            continue
        start = dt.date(int(label[:4]), 4, 1)
        part = start <= origin
        if part != ("month" in label):
            fail(f"moves per child-year: the year {label!r} is {'a part' if part else 'a whole'} year")
        checked += 1
    cost_chart = cost.cost(run, "")
    whole = [t.get_text() for t in cost_chart.figure.axes[0].get_xticklabels() if t.get_text()]
    for label in whole:
        if dt.date(int(label[:4]), 4, 1) <= origin:
            fail(f"the cost chart draws {label!r}, which began before the forecast start")
    if "Part years left out" not in cost_chart.caption:
        fail(f"the cost chart does not name the part years it leaves out: {cost_chart.caption!r}")
    print(f"{folder}: {checked} years of moves and {len(whole)} whole years of cost labelled as they are")


def main(argv):
    if argv[0] == "workbook":
        check_workbook(pathlib.Path(argv[1]), "--publish" in argv)
    elif argv[0] == "finance":
        check_finance_page(pathlib.Path(argv[1]))
    elif argv[0] == "option-chart":
        check_option_chart(pathlib.Path(argv[1]))
    elif argv[0] == "cost-drivers":
        check_cost_drivers(pathlib.Path(argv[1]))
    elif argv[0] == "backtest":
        check_backtest_page(pathlib.Path(argv[1]))
    elif argv[0] == "care-leavers-chart":
        check_care_leavers_chart(pathlib.Path(argv[1]))
    elif argv[0] == "part-years":
        check_part_years(pathlib.Path(argv[1]))
    elif argv[0] == "options":
        check_options(pathlib.Path(argv[1]))
    elif argv[0] == "dpi":
        check_dpi(argv[1:])
    elif argv[0] == "not-blank":
        check_not_blank(argv[1])
    else:
        fail(f"unknown check {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
