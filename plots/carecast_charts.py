"""Shared pieces of carecast's board-pack charts.

The chart scripts read only what carecast writes into a run or compare folder:

- forecast.csv    metric,category,date,mean,p05,p25,p50,p75,p95 (a run)
- comparison.csv  option,metric,category,date,mean,p05,p50,p95: differences from the base (a compare)
- history.csv     metric,category,date,value: recorded figures, optional
- run.json        scenario, runs, seed, origin date: for each chart's footnote

A published folder (`carecast report --publish`) may hold "c" for a suppressed count; it is read as
missing. Nothing here imports the engine.
"""
import argparse
import csv
import datetime as dt
import json
import math
import pathlib
import sys
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
SUPPRESSED = "c"

# Okabe-Ito: distinguishable under the common forms of colour blindness, and in greyscale by
# lightness order when paired with the hatching-free designs below.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Each placement category keeps its colour in every chart; categories without one are drawn
# together in grey, since the palette has no more distinguishable colours.
CATEGORY_COLOURS = {
    "foster_in_house": "#0072B2",
    "foster_agency": "#009E73",
    "foster_kinship": "#CC79A7",
    "placed_with_parents": "#56B4E9",
    "childrens_home_external": "#D55E00",
    "childrens_home_in_house": "#F0E442",
    "supported_accommodation": "#E69F00",
}
GROUPED_COLOUR = "#BBBBBB"
DARK_COLOURS = {"#0072B2", "#009E73", "#D55E00"}  # white text reads on these
FAN = "#0072B2"        # the forecast
SECOND = "#D55E00"     # a second forecast on the same axes (capacity against demand)
RECORDED = "#000000"   # recorded figures
MUTED = "#595959"      # text that supports the title

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "svg.fonttype": "none",  # keep SVG text as text: searchable and smaller
})


class InputProblem(Exception):
    """Bad input, named by file and line; the scripts exit with status 2 on it."""


class Skip(Exception):
    """The folder lacks what a chart needs: the chart is left out, which is not an error."""


@dataclass(frozen=True)
class Point:
    date: dt.date
    mean: float
    p05: float
    p25: float
    p50: float
    p75: float
    p95: float


@dataclass
class Chart:
    stem: str       # file name without extension
    figure: object  # matplotlib Figure
    title: str      # the finding, as on the chart
    caption: str    # how to read it and what it assumes


def _labels(name):
    with open(HERE / name, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


METRICS = _labels("metric_labels.csv")
CATEGORIES = _labels("category_labels.csv")


def category_label(category):
    row = CATEGORIES.get(category)
    return row["label"] if row else category.replace("_", " ").capitalize()


def metric_label(metric):
    row = METRICS.get(metric)
    return row["label"] if row else metric.replace("_", " ").capitalize()


def metric_period(metric):
    row = METRICS.get(metric)
    return row["period"] if row else "day"


def metric_unit(metric):
    row = METRICS.get(metric)
    return row["unit"] if row else "count"


# ----------------------------------------------------------------------------------------------
# Reading a folder


def _read_rows(path, required):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputProblem(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            yield line, row


def _number(path, line, column, text):
    if text == SUPPRESSED:
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputProblem(f"{path}: line {line}: column '{column}': expected a number") from None
    if not math.isfinite(value):
        raise InputProblem(f"{path}: line {line}: column '{column}': expected a finite number")
    return value


def _date(path, line, text):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputProblem(f"{path}: line {line}: column 'date': expected a date as YYYY-MM-DD") from None


class Folder:
    """A run or compare folder, read once."""

    FORECAST = ["metric", "category", "date", "mean", "p05", "p25", "p50", "p75", "p95"]
    COMPARISON = ["option", "metric", "category", "date", "mean", "p05", "p50", "p95"]
    HISTORY = ["metric", "category", "date", "value"]

    def __init__(self, path):
        self.path = pathlib.Path(path)
        if not self.path.is_dir():
            raise InputProblem(f"{self.path}: no such folder")
        self.forecast = {}    # (metric, category) -> [Point], in date order
        self.comparison = {}  # (option, metric, category) -> [Point] (p25 and p75 absent: None)
        self.history = {}     # (metric, category) -> [(date, value or None)]
        forecast_csv, comparison_csv = self.path / "forecast.csv", self.path / "comparison.csv"
        if not forecast_csv.is_file() and not comparison_csv.is_file():
            raise InputProblem(f"{self.path}: holds neither forecast.csv nor comparison.csv")
        if forecast_csv.is_file():
            self._read_points(forecast_csv, self.FORECAST, self.forecast, lambda row: (row["metric"], row["category"]))
        if comparison_csv.is_file():
            self._read_points(comparison_csv, self.COMPARISON, self.comparison,
                              lambda row: (row["option"], row["metric"], row["category"]))
        history_csv = self.path / "history.csv"
        if history_csv.is_file():
            for line, row in _read_rows(history_csv, self.HISTORY):
                value = _number(history_csv, line, "value", row["value"])
                key = (row["metric"], row["category"])
                self.history.setdefault(key, []).append((_date(history_csv, line, row["date"]), value))
            for points in self.history.values():
                points.sort()
        run_json = self.path / "run.json"
        try:
            self.run = json.loads(run_json.read_text(encoding="utf-8")) if run_json.is_file() else {}
        except json.JSONDecodeError as error:
            raise InputProblem(f"{run_json}: line {error.lineno}: {error.msg}") from None

    @staticmethod
    def _read_points(path, columns, into, key_of):
        statistics = ["mean", "p05", "p25", "p50", "p75", "p95"]
        for line, row in _read_rows(path, columns):
            values = [_number(path, line, s, row[s]) if s in row else None for s in statistics]
            into.setdefault(key_of(row), []).append(Point(_date(path, line, row["date"]), *values))
        for points in into.values():
            points.sort(key=lambda p: p.date)

    def series(self, metric, category="all"):
        """The forecast points of one cell with every statistic present (suppressed points left out)."""
        return [p for p in self.forecast.get((metric, category), []) if p.p05 is not None]

    def require(self, metric, category="all"):
        points = self.series(metric, category)
        if not points:
            raise Skip(f"the forecast has no {metric} rows for {category}")
        return points

    def categories(self, metric):
        return [c for (m, c) in self.forecast if m == metric and c != "all"]

    def recorded(self, metric, category="all"):
        """Recorded figures: history.csv, then the forecast's origin value where it is the same in
        every run (the recorded starting position, not a drawn one)."""
        points = [(d, v) for d, v in self.history.get((metric, category), []) if v is not None]
        origin = self.origin()
        start = next((p for p in self.forecast.get((metric, category), []) if p.date == origin), None)
        if (start is not None and start.p05 is not None and start.p05 == start.p95
                and all(d != origin for d, _ in points)):
            points.append((origin, start.p50))
        return sorted(points)

    def origin(self):
        if "origin_date" in self.run:
            return dt.date.fromisoformat(self.run["origin_date"])
        dates = [p.date for points in self.forecast.values() for p in points]
        return min(dates) if dates else None

    def options(self):
        return list(dict.fromkeys(option for option, _, _ in self.comparison))


# ----------------------------------------------------------------------------------------------
# Dates and words


def financial_year_of(date):
    """Start year of the financial year (1 April to 31 March) holding the date."""
    return date.year if date.month >= 4 else date.year - 1


def financial_year_label(start_year):
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def is_31_march(date):
    return date.month == 3 and date.day == 31


def last_31_march(points):
    """The last point dated 31 March (the date councils and DfE report on), else the last point."""
    marches = [p for p in points if is_31_march(p.date)]
    return marches[-1] if marches else points[-1]


def month_year(date):
    return date.strftime("%B %Y")


def long_date(date):
    return f"{date.day} {date:%B %Y}"


def about(value, unit="count"):
    """A forecast figure rounded as a person would say it: 'about 450'."""
    if unit == "pounds":
        return money(value)
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "rate":
        return f"{value:.2f}"
    magnitude = abs(value)
    step = 10 if magnitude >= 100 else 5 if magnitude >= 20 else 1
    return f"{int(round(value / step) * step):,}"


def exact(value, unit="count"):
    if unit == "pounds":
        return money(value)
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "rate":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def money(value):
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if magnitude >= 1e6:
        return f"{sign}£{magnitude / 1e6:.1f}m"
    if magnitude >= 1e3:
        return f"{sign}£{magnitude / 1e3:.0f}k"
    return f"{sign}£{magnitude:.0f}"


def interval(point, unit="count"):
    return f"{exact(point.p05, unit)}-{exact(point.p95, unit)}"


def trend(start, point, unit="count", plural=True):
    """How a forecast moves from a recorded start, as a predicate ('are likely to rise ...') whose
    strength follows the intervals: 'very likely' when 90% of runs end on one side of the start,
    'likely' when 75% do."""
    be = "are" if plural else "is"
    by = f"by {month_year(point.date)}"
    move = f"from {exact(start, unit)} to about {about(point.p50, unit)} {by}"
    if point.p05 > start:
        return f"{be} very likely to rise {move}"
    if point.p25 > start:
        return f"{be} likely to rise {move}"
    if point.p95 < start:
        return f"{be} very likely to fall {move}"
    if point.p75 < start:
        return f"{be} likely to fall {move}"
    return (f"could rise or fall from {exact(start, unit)}: about {about(point.p50, unit)} {by} "
            f"(90% interval {interval(point, unit)})")


# ----------------------------------------------------------------------------------------------
# Drawing


def new_figure(title, subtitle, rows=1, columns=1, width=10.0, height=5.6, left=0.75, **grid):
    """A figure with the finding as its title, a line saying what is shown, and room for the
    footnote; `left` is the margin in inches for the axis labels. Returns the figure and a 2-D list
    of axes."""
    figure = plt.figure(figsize=(width, height))
    # About 8 characters of 13-point bold text, and 13 of 9-point text, to the inch.
    title_text = textwrap.fill(title, int(width * 8))
    subtitle_text = textwrap.fill(subtitle, int(width * 13))
    title_height = 0.24 * (title_text.count("\n") + 1)
    subtitle_height = 0.17 * (subtitle_text.count("\n") + 1)
    figure.text(0.012, 1 - 0.12 / height, title_text, fontsize=13, fontweight="bold", va="top", ha="left")
    figure.text(0.012, 1 - (0.2 + title_height) / height, subtitle_text, fontsize=9, color=MUTED, va="top",
                ha="left")
    top = 1 - (0.65 + title_height + subtitle_height) / height
    spec = figure.add_gridspec(rows, columns, left=left / width, right=0.98, top=top, bottom=0.95 / height, **grid)
    axes = [[figure.add_subplot(spec[r, c]) for c in range(columns)] for r in range(rows)]
    return figure, axes


def footnote(figure, folder, chart_note, extra=""):
    """Scenario, runs, seed and dates at the foot of every chart, with what the chart assumes."""
    run = folder.run
    parts = []
    if "scenario_name" in run:
        parts.append(f"Scenario '{run['scenario_name']}'")
    if "runs" in run:
        parts.append(f"{run['runs']:,} runs")
    if "seed" in run:
        parts.append(f"seed {run['seed']}")
    if "parameter_uncertainty" in run:
        parts.append("rates drawn from their estimated uncertainty" if run["parameter_uncertainty"]
                     else "rates taken as known")
    origin = folder.origin()
    if origin:
        parts.append(f"forecast from {long_date(origin)}")
    parts.append(f"chart made {long_date(dt.date.today())}")
    if "version" in run:
        parts.append(f"carecast {run['version']}")
    lines = [" · ".join(parts), chart_note] + ([extra] if extra else [])
    figure.text(0.012, 0.012, "\n".join(textwrap.fill(line, int(figure.get_figwidth() * 19)) for line in lines), fontsize=7, color=MUTED,
                va="bottom", ha="left")


def financial_year_axis(ax, first, last, max_labels=None):
    """Gridlines at each 1 April and the financial year ("2025-26") written across its span; in a
    narrow panel, with more years than `max_labels`, only every second (third, ...) year is written,
    so that the labels do not run into each other."""
    ax.set_xlim(first, last)
    boundaries = [dt.date(y, 4, 1) for y in range(first.year - 1, last.year + 2)]
    ax.xaxis.set_major_locator(mticker.FixedLocator([mdates.date2num(d) for d in boundaries]))
    ax.xaxis.set_major_formatter(mticker.NullFormatter())
    middles = [dt.date(y, 10, 1) for y in range(first.year - 1, last.year + 1)]
    middles = [d for d in middles if first <= d <= last]
    ax.xaxis.set_minor_locator(mticker.FixedLocator([mdates.date2num(d) for d in middles]))
    step = math.ceil(len(middles) / max_labels) if max_labels and len(middles) > max_labels else 1
    # Counted back from the last year, so that the forecast's last year is always written.
    labels = [financial_year_label(d.year) if (len(middles) - 1 - i) % step == 0 else ""
              for i, d in enumerate(middles)]
    ax.xaxis.set_minor_formatter(mticker.FixedFormatter(labels))
    ax.tick_params(axis="x", which="minor", length=0)
    ax.tick_params(axis="x", which="major", length=4)
    ax.grid(axis="x", which="major", alpha=0.35)
    ax.grid(axis="y", alpha=0.25)


def value_axis(ax, unit, axis="y"):
    formats = {
        "count": lambda v, _: f"{v:,.0f}",
        "percent": lambda v, _: f"{v:.0f}%",
        "pounds": lambda v, _: money(v),
        "rate": lambda v, _: f"{v:.1f}",
    }
    scale = getattr(ax, axis + "axis")
    # Steps of 1, 2 or 5 only: whole-number labels never repeat ("12%, 12%") or read oddly ("2, 5, 8").
    scale.set_major_locator(mticker.MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    scale.set_major_formatter(mticker.FuncFormatter(formats.get(unit, formats["count"])))


def fan(ax, points, colour=FAN, label_prefix=""):
    """Median with its 50% and 90% bands."""
    dates = [p.date for p in points]
    ax.fill_between(dates, [p.p05 for p in points], [p.p95 for p in points], color=colour, alpha=0.16,
                    linewidth=0, label=f"{label_prefix}90% of runs")
    ax.fill_between(dates, [p.p25 for p in points], [p.p75 for p in points], color=colour, alpha=0.34,
                    linewidth=0, label=f"{label_prefix}middle 50% of runs")
    ax.plot(dates, [p.p50 for p in points], color=colour, linewidth=1.8, label=f"{label_prefix}median")


# Recorded points further apart than this are not joined: published series have gaps (no figure for
# some years), and a straight line across one would show a steady path nobody recorded.
RECORDED_GAP = dt.timedelta(days=400)


def recorded(ax, points, label="Recorded", colour=RECORDED, marker="o"):
    if not points:
        return
    runs = [[points[0]]]
    for previous, point in zip(points, points[1:]):
        if point[0] - previous[0] > RECORDED_GAP:
            runs.append([])
        runs[-1].append(point)
    for index, run in enumerate(runs):
        dates, values = zip(*run)
        ax.plot(dates, values, color=colour, linewidth=1.2, marker=marker, markersize=3.5,
                label=label if index == 0 else None, zorder=5)


def interval_bars(ax, positions, points, colour=FAN, horizontal=False):
    """A dot for the median, a thick bar for the middle 50% and a thin one for 90% of runs."""
    for position, p in zip(positions, points):
        if horizontal:
            ax.plot([p.p05, p.p95], [position, position], color=colour, linewidth=1.2, solid_capstyle="butt")
            if p.p25 is not None:
                ax.plot([p.p25, p.p75], [position, position], color=colour, linewidth=5, alpha=0.6,
                        solid_capstyle="butt")
            ax.plot([p.p50], [position], "o", color=colour, markersize=5.5, markeredgecolor="white", zorder=4)
        else:
            ax.plot([position, position], [p.p05, p.p95], color=colour, linewidth=1.2, solid_capstyle="butt")
            if p.p25 is not None:
                ax.plot([position, position], [p.p25, p.p75], color=colour, linewidth=5, alpha=0.6,
                        solid_capstyle="butt")
            ax.plot([position], [p.p50], "o", color=colour, markersize=5.5, markeredgecolor="white", zorder=4)


def spread_labels(ys, gap):
    """Label heights moved apart by at least `gap`, in order, staying as near their targets as the
    gap allows: names beside a stacked bar stay readable when segments are thin."""
    placed = []
    for y in sorted(ys):
        placed.append(max(y, placed[-1] + gap) if placed else y)
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    result = [0.0] * len(ys)
    for rank, index in enumerate(order):
        result[index] = placed[rank]
    return result


def stacked_bars(ax, labels, segments):
    """Stacked bars at 0..n-1, each segment (name, values, colour), named beside the last bar."""
    bottom = [0.0] * len(labels)
    middles = []
    for name, values, colour in segments:
        ax.bar(range(len(labels)), values, bottom=bottom, color=colour, width=0.68, edgecolor="white", linewidth=0.6)
        middles.append(bottom[-1] + values[-1] / 2)
        bottom = [b + v for b, v in zip(bottom, values)]
    top = max(bottom)
    for (name, _, _), y in zip(segments, spread_labels(middles, top * 0.045)):
        ax.text(len(labels) - 0.58, y, name, va="center", fontsize=7.5)
    ax.set_xticks(range(len(labels)), labels, fontsize=7.5)
    ax.set_xlim(-0.5, len(labels) + 1.9)
    ax.spines["bottom"].set_bounds(-0.5, len(labels) - 0.5)
    return bottom


BANDS_NOTE = ("Shaded bands hold the middle 50% and 90% of simulated runs; the line is the median. "
              "Black points are recorded figures.")


def save(chart, out_dir):
    """PNG at 200 dpi, SVG and PDF, each written whole (temporary name, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # No creation dates in SVG or PDF, so the same forecast gives the same files.
    metadata = {".png": None, ".svg": {"Date": None}, ".pdf": {"CreationDate": None}}
    for suffix, meta in metadata.items():
        target = out_dir / (chart.stem + suffix)
        partial = out_dir / (chart.stem + ".partial" + suffix)
        chart.figure.savefig(partial, dpi=200, metadata=meta)
        partial.replace(target)
    plt.close(chart.figure)


def run_standalone(chart_functions, description):
    """Command line of a chart script: FOLDER [--out DIR] [--note TEXT]. Each chart the folder
    lacks the data for is reported as skipped on stderr; the others are drawn."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", type=pathlib.Path, help="a carecast run or compare folder")
    parser.add_argument("--out", type=pathlib.Path, help="folder for the charts (default: FOLDER/charts)")
    parser.add_argument("--note", default="", help="a line added to each footnote")
    args = parser.parse_args()
    try:
        folder = Folder(args.folder)
        out = args.out or args.folder / "charts"
        for function in chart_functions:
            try:
                chart = function(folder, args.note)
            except Skip as skip:
                print(f"skipped {function.__name__}: {skip}", file=sys.stderr)
                continue
            save(chart, out)
            print(out / (chart.stem + ".png"))
    except InputProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
