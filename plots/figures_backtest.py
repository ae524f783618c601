#!/usr/bin/env python3
"""Charts of a backtest from published figures (`carecast backtest --figures`), one per figure scored.

    python3 plots/figures_backtest.py FOLDER --out DIR [--note TEXT]

Reads only FOLDER/figures_backtest.csv (every figure after the origin, the forecast's percentiles
and persistence's forecast) and, when there, FOLDER/fit-figures.csv (the figures up to the origin
the fit saw). For each scored figure it draws the forecast's 50% and 90% intervals at the figure's
date against the published value, with the earlier published figures of the same kind and
persistence. Writes each chart as DIR/<chart>.png (200 dpi), .svg and .pdf and DIR/index.csv
(chart,title,caption,skipped), printing `charts N` and then `done NAME` as board_pack.py does.
Exit status 2 for unreadable input.
"""
import argparse
import csv
import datetime as dt
import pathlib
import sys

import carecast_charts as cc

REQUIRED = ["origin", "metric", "category", "period_start", "date", "value", "scored", "p05", "p25", "p50", "p75",
            "p95", "inside_50", "inside_90", "crps", "persistence", "note"]


def number(path, line, column, text):
    try:
        return float(text)
    except ValueError:
        raise cc.InputProblem(f"{path}: line {line}: column {column}: expected a number")


def date(path, line, text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise cc.InputProblem(f"{path}: line {line}: expected a date yyyy-mm-dd")


def read_scored(folder):
    path = folder / "figures_backtest.csv"
    if not path.exists():
        raise cc.InputProblem(f"{path} does not exist: not a backtest from published figures")
    rows = []
    for line, row in cc._read_rows(path, REQUIRED):
        row["line"] = line
        row["origin"] = date(path, line, row["origin"])
        row["date"] = date(path, line, row["date"])
        row["value"] = number(path, line, "value", row["value"])
        if row["scored"] == "yes":
            for column in ("p05", "p25", "p50", "p75", "p95", "crps"):
                row[column] = number(path, line, column, row[column])
        row["persistence"] = number(path, line, "persistence", row["persistence"]) if row["persistence"] else None
        rows.append(row)
    return rows


def read_known(folder):
    """The figures up to the origin, by (metric, category): [(date, value)]."""
    path = folder / "fit-figures.csv"
    known = {}
    if not path.exists():
        return known
    for line, row in cc._read_rows(path, ["metric", "category", "date", "value"]):
        known.setdefault((row["metric"], row["category"]), []).append(
            (date(path, line, row["date"]), number(path, line, "value", row["value"])))
    return known


def what(row):
    """'Children looked after (all) at 31 March 2024' or 'Entries (all), 1 April 2024 to 28 February 2025'."""
    category = " + ".join(cc.category_label(c) for c in row["category"].split("+")) if row["category"] != "all" \
        else "all"
    name = f"{cc.metric_label(row['metric'])} ({category.lower() if category == 'all' else category})"
    if row["period_start"]:
        return f"{name}, {cc.long_date(dt.date.fromisoformat(row['period_start']))} to {cc.long_date(row['date'])}"
    return f"{name} at {cc.long_date(row['date'])}"


def unit_of(row):
    return "percent" if row["metric"].startswith("stability") else "count"


def chart_for(index, row, known, note):
    unit = unit_of(row)
    point = cc.Point(row["date"], row["p50"], row["p05"], row["p25"], row["p50"], row["p75"], row["p95"])
    verdict = "inside the forecast's 50% interval" if row["inside_50"] == "yes" else \
        "inside its 90% interval" if row["inside_90"] == "yes" else "outside its 90% interval"
    title = (f"{what(row)}: {cc.exact(row['value'], unit)} published, {verdict} "
             f"(median {cc.exact(row['p50'], unit)}, 90%: {cc.interval(point, unit)})")
    subtitle = (f"Forecast from {cc.long_date(row['origin'])} by a scenario fitted to the figures published up to "
                f"then: dot, median of runs; thick bar, middle 50%; thin bar, 90%. Black diamond: published; "
                f"hollow circles: earlier figures the fit saw; dashed line: persistence.")
    figure, [[ax]] = cc.new_figure(title, subtitle, width=8.0, height=5.2)
    history = sorted(known.get((row["metric"], row["category"]), []))
    if history:
        dates, values = zip(*history)
        ax.plot(dates, values, "o", markerfacecolor="none", markeredgecolor=cc.RECORDED, markersize=5,
                label="Published up to the origin")
    cc.interval_bars(ax, [row["date"]], [point])
    ax.plot([row["date"]], [row["value"]], "D", color=cc.RECORDED, markersize=6.5, zorder=5, label="Published")
    if row["persistence"] is not None:
        ax.plot([row["origin"], row["date"]], [row["persistence"]] * 2, "--", color=cc.SECOND, linewidth=1.2,
                label=f"Persistence: {cc.exact(row['persistence'], unit)}")
    ax.axvline(row["origin"], color=cc.MUTED, linewidth=0.8, linestyle=":")
    ax.text(row["origin"], ax.get_ylim()[1], " origin", fontsize=7.5, color=cc.MUTED, va="top")
    everything = [row["p05"], row["p95"], row["value"]] + [v for _, v in history] + \
        ([row["persistence"]] if row["persistence"] is not None else [])
    low, high = min(everything), max(everything)
    margin = max((high - low) * 0.25, 1.0)
    ax.set_ylim(max(0.0, low - margin), high + margin)
    first = min([row["origin"]] + [d for d, _ in history])
    ax.set_xlim(first - dt.timedelta(days=120), row["date"] + dt.timedelta(days=120))
    cc.value_axis(ax, unit)
    ax.grid(axis="y", alpha=0.25)
    ax.legend(fontsize=7.5, loc="best")
    caption = (f"{what(row)}. Published {cc.exact(row['value'], unit)}; forecast median {cc.exact(row['p50'], unit)}, "
               f"middle 50% {cc.exact(row['p25'], unit)} to {cc.exact(row['p75'], unit)}, 90% "
               f"{cc.interval(point, unit)}; CRPS {row['crps']:.2f}" +
               (f"; persistence {cc.exact(row['persistence'], unit)}." if row["persistence"] is not None else "."))
    figure.text(0.012, 0.012, cc.textwrap.fill(" · ".join(p for p in [
        f"forecast from {cc.long_date(row['origin'])}", f"chart made {cc.long_date(dt.date.today())}", note] if p),
        int(figure.get_figwidth() * 19)), fontsize=7, color=cc.MUTED, va="bottom", ha="left")
    return cc.Chart(f"backtest_{index:02d}_{row['metric']}", figure, title, caption)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--note", default="", help="a line added to each footnote")
    args = parser.parse_args()
    try:
        rows = read_scored(args.folder)
        known = read_known(args.folder)
    except cc.InputProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    print(f"charts {len(rows)}", flush=True)
    index = []
    for number_of_row, row in enumerate(rows, start=1):
        if row["scored"] == "yes":
            chart = chart_for(number_of_row, row, known, args.note)
            cc.save(chart, args.out)
            index.append([chart.stem, chart.title, chart.caption, ""])
        else:
            index.append([f"backtest_{number_of_row:02d}_{row['metric']}", what(row), "",
                          f"not scored: {row['note']}"])
        print(f"done {number_of_row}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "index.partial.csv"
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["chart", "title", "caption", "skipped"])
        writer.writerows(index)
    partial.replace(args.out / "index.csv")


if __name__ == "__main__":
    main()
