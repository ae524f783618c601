#!/usr/bin/env python3
"""Every board-pack chart for a run or compare folder, and an index of them.

    python3 plots/board_pack.py FOLDER --out DIR [--note TEXT]

Writes each chart as DIR/<chart>.png (200 dpi), .svg and .pdf, and DIR/index.csv with columns
chart,title,caption,skipped: one row per chart in board-pack order, `skipped` giving the reason a
chart was left out (the folder lacks what it needs) and empty for a chart drawn. On stdout it
prints `charts N` first and then `done NAME` as each chart is finished, so a caller can show
progress. Exit status 2 for unreadable input.
"""
import argparse
import csv
import pathlib
import sys

import care_leavers
import carecast_charts as cc
import cost
import fan_chart
import foster_capacity
import option_comparison
import option_cost_drivers
import placement_mix
import repeat_entries
import stability

CHART_FUNCTIONS = (fan_chart.CHARTS + placement_mix.CHARTS + foster_capacity.CHARTS + stability.CHARTS
                   + repeat_entries.CHARTS + cost.CHARTS + care_leavers.CHARTS + option_comparison.CHARTS
                   + option_cost_drivers.CHARTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--note", default="", help="a line added to each footnote")
    args = parser.parse_args()
    try:
        folder = cc.Folder(args.folder)
    except cc.InputProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    print(f"charts {len(CHART_FUNCTIONS)}", flush=True)
    index = []
    for function in CHART_FUNCTIONS:
        try:
            chart = function(folder, args.note)
            cc.save(chart, args.out)
            index.append([chart.stem, chart.title, chart.caption, ""])
        except cc.Skip as skip:
            index.append([function.__name__, function.__doc__.strip(), "", str(skip)])
        print(f"done {function.__name__}", flush=True)
    partial = args.out / "index.partial.csv"
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["chart", "title", "caption", "skipped"])
        writer.writerows(index)
    partial.replace(args.out / "index.csv")


if __name__ == "__main__":
    main()
