#!/usr/bin/env python3
"""Charts of a backtest from SSDA903 returns (`carecast backtest`): for each placement category
charted, the forecast made at each origin against what then happened, with persistence.

    python3 plots/backtest.py FOLDER --out DIR [--note TEXT]

Reads only FOLDER/backtest.csv (origin,method,category,horizon_months,date,truth,p05,...,p95,crps).
Writes each chart as DIR/<chart>.png (200 dpi), .svg and .pdf and DIR/index.csv
(chart,title,caption,skipped), printing `charts N` and then `done NAME` as board_pack.py does.
Exit status 2 for unreadable input.
"""
import argparse
import csv
import datetime as dt
import pathlib
import sys

import carecast_charts as cc

REQUIRED = ["origin", "method", "category", "horizon_months", "date", "truth", "p05", "p25", "p50", "p75", "p95",
            "crps"]
# The total and the largest categories get a chart each; the table on the page has every one.
CATEGORIES_CHARTED = 6


def read_backtest(folder):
    path = folder / "backtest.csv"
    if not path.is_file():
        raise cc.InputProblem(f"{path}: no such file")
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise cc.InputProblem(f"{path}: line 1: missing column {missing[0]}")
        for line, row in enumerate(reader, start=2):
            try:
                parsed = {"origin": dt.date.fromisoformat(row["origin"]), "date": dt.date.fromisoformat(row["date"]),
                          "method": row["method"], "category": row["category"]}
                for column in ("truth", "p05", "p25", "p50", "p75", "p95"):
                    parsed[column] = float(row[column])
            except ValueError:
                raise cc.InputProblem(f"{path}: line {line}: expected dates yyyy-mm-dd and numbers") from None
            rows.append(parsed)
    return rows


def inside(row, low, high):
    return row[low] <= row["truth"] <= row[high]


def chart_for(category, rows, note):
    carecast = sorted((r for r in rows if r["method"] == "carecast" and r["category"] == category),
                      key=lambda r: (r["origin"], r["date"]))
    persistence = {(r["origin"], r["date"]): r["p50"] for r in rows
                   if r["method"] == "persistence" and r["category"] == category}
    label = "Children looked after" if category == "all" else cc.category_label(category)
    in_90 = sum(inside(r, "p05", "p95") for r in carecast)
    in_50 = sum(inside(r, "p25", "p75") for r in carecast)
    title = (f"{label}: what happened was inside the forecast's 90% interval in {in_90} of {len(carecast)} months "
             f"and inside its 50% interval in {in_50}")
    subtitle = ("Forecasts made at each origin from the returns up to it, against the children then looked after: "
                "bands, the middle 50% and 90% of runs; line, the median; black dots, what happened; dashed, "
                "persistence (no change from the origin).")
    figure, [[ax]] = cc.new_figure(title, subtitle, width=8.0, height=4.8)
    origins = sorted({r["origin"] for r in carecast})
    for number, origin in enumerate(origins):
        points = [r for r in carecast if r["origin"] == origin]
        dates = [origin] + [r["date"] for r in points]
        start = next((persistence[(origin, r["date"])] for r in points if (origin, r["date"]) in persistence), None)
        first = [start] if start is not None else [points[0]["p50"]]
        ax.fill_between(dates, first + [r["p05"] for r in points], first + [r["p95"] for r in points],
                        color=cc.FAN, alpha=0.18, linewidth=0, label="90% of runs" if number == 0 else None)
        ax.fill_between(dates, first + [r["p25"] for r in points], first + [r["p75"] for r in points],
                        color=cc.FAN, alpha=0.35, linewidth=0, label="middle 50%" if number == 0 else None)
        ax.plot(dates, first + [r["p50"] for r in points], color=cc.FAN, linewidth=1.6,
                label="median" if number == 0 else None)
        if start is not None:
            ax.plot(dates, [start] * len(dates), "--", color=cc.SECOND, linewidth=1.0,
                    label="persistence" if number == 0 else None)
        ax.axvline(origin, color=cc.MUTED, linewidth=0.8, linestyle=":")
    ax.plot([r["date"] for r in carecast], [r["truth"] for r in carecast], "o", color=cc.RECORDED, markersize=3.5,
            label="what happened", zorder=5)
    cc.value_axis(ax, "count")
    ax.xaxis.set_major_formatter(cc.mdates.DateFormatter("%b %Y"))
    ax.grid(axis="y", alpha=0.25)
    ax.legend(fontsize=7.5, loc="best", ncol=2)
    caption = (f"{label}: {len(carecast)} monthly forecasts from {len(origins)} origin(s); the dotted lines mark "
               f"the origins. A well-calibrated forecast has about 90% of what happened inside its 90% band and "
               f"half inside its 50% band.")
    figure.text(0.012, 0.012, cc.textwrap.fill(" · ".join(p for p in [
        f"chart made {cc.long_date(dt.date.today())}", note] if p), int(figure.get_figwidth() * 19)),
        fontsize=7, color=cc.MUTED, va="bottom", ha="left")
    return cc.Chart(f"backtest_{category}", figure, title, caption)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--note", default="", help="a line added to each footnote")
    args = parser.parse_args()
    try:
        rows = read_backtest(args.folder)
    except cc.InputProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    size = {}
    for r in rows:
        if r["method"] == "carecast":
            size[r["category"]] = size.get(r["category"], 0.0) + r["truth"]
    categories = sorted(size, key=lambda c: (c != "all", -size[c]))
    print(f"charts {len(categories)}", flush=True)
    index = []
    for number, category in enumerate(categories):
        if number < CATEGORIES_CHARTED:
            chart = chart_for(category, rows, args.note)
            cc.save(chart, args.out)
            index.append([chart.stem, chart.title, chart.caption, ""])
        else:
            index.append([f"backtest_{category}", cc.category_label(category), "",
                          "a smaller category: its scores are in the table"])
        print(f"done {category}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "index.partial.csv"
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["chart", "title", "caption", "skipped"])
        writer.writerows(index)
    partial.replace(args.out / "index.csv")


if __name__ == "__main__":
    main()
