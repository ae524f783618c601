#!/usr/bin/env python3
"""Fan chart of children looked after from carecast's forecast.csv.

Reads only the CSV the engine writes. Draws the median with 50% and 90% bands for the total and
for each placement category that has children, and saves PNG (200 dpi) and SVG beside the CSV
unless --out says otherwise.

    python3 plots/fan_chart.py demo-output/forecast.csv
"""
import argparse
import csv
import datetime as dt
import pathlib
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Okabe-Ito: distinguishable with the common forms of colour blindness.
BAND_COLOUR = "#0072B2"


def read_series(path, metric):
    series = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        required = {"metric", "category", "date", "p05", "p25", "p50", "p75", "p95"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: line 1: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            if row["metric"] != metric:
                continue
            try:
                values = [float(row[k]) for k in ("p05", "p25", "p50", "p75", "p95")]
                date = dt.date.fromisoformat(row["date"])
            except ValueError as error:
                raise SystemExit(f"{path}: line {line}: {error}")
            series[row["category"]].append((date, *values))
    return series


def draw(ax, points, title):
    dates = [p[0] for p in points]
    ax.fill_between(dates, [p[1] for p in points], [p[5] for p in points], color=BAND_COLOUR, alpha=0.18,
                    linewidth=0, label="90% interval")
    ax.fill_between(dates, [p[2] for p in points], [p[4] for p in points], color=BAND_COLOUR, alpha=0.35,
                    linewidth=0, label="50% interval")
    ax.plot(dates, [p[3] for p in points], color=BAND_COLOUR, linewidth=1.8, label="median")
    ax.set_title(title, fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forecast_csv", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, help="output stem (default: beside the CSV)")
    args = parser.parse_args(argv)
    if not args.forecast_csv.is_file():
        raise SystemExit(f"{args.forecast_csv}: no such file")
    series = read_series(args.forecast_csv, "children_looked_after")
    if "all" not in series:
        raise SystemExit(f"{args.forecast_csv}: no children_looked_after rows")
    categories = [c for c in series if c != "all" and max(p[5] for p in series[c]) > 0]
    columns = 3
    rows = 1 + (len(categories) + columns - 1) // columns
    fig = plt.figure(figsize=(11, 3.2 * rows))
    grid = fig.add_gridspec(rows, columns)
    total = series["all"]
    end = total[-1]
    ax = fig.add_subplot(grid[0, :])
    draw(ax, total, f"Children looked after: median {end[3]:.0f} (90% interval {end[1]:.0f}-{end[5]:.0f}) "
                    f"by {end[0]:%d %B %Y}")
    ax.legend(loc="lower left", fontsize=8)
    for i, category in enumerate(categories):
        draw(fig.add_subplot(grid[1 + i // columns, i % columns]), series[category], category.replace("_", " "))
    fig.tight_layout()
    stem = args.out or args.forecast_csv.with_name("children_looked_after_fan")
    stem.parent.mkdir(parents=True, exist_ok=True)
    for suffix in (".png", ".svg"):
        temporary = stem.with_name(stem.name + ".partial" + suffix)
        fig.savefig(temporary, dpi=200)
        temporary.replace(stem.with_suffix(suffix))
    print(stem.with_suffix(".png"))


if __name__ == "__main__":
    main(sys.argv[1:])
