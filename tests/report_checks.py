#!/usr/bin/env python3
"""Checks of the board pack that need Python, run by report_test.cpp.

    report_checks.py workbook FOLDER [--publish]   forecast.xlsx holds the folder's CSV numbers
    report_checks.py dpi PNG...                     each PNG says 200 dpi
    report_checks.py not-blank PNG                  a screenshot shows something

Prints what is wrong and exits 1 on the first failure. The disclosure rule is written out here
independently of the C++ that applies it, so that the test checks the rule, not the code.
"""
import csv
import datetime as dt
import json
import math
import pathlib
import struct
import sys

import openpyxl

PLOTS = pathlib.Path(__file__).resolve().parent.parent / "plots"
STATISTICS = {"mean": "Mean", "p05": "5th percentile", "p25": "25th percentile", "p50": "Median",
              "p75": "75th percentile", "p95": "95th percentile", "value": "Recorded"}


def fail(message):
    print(message)
    sys.exit(1)


def count_metrics():
    with open(PLOTS / "metric_labels.csv", newline="") as handle:
        return {row["id"] for row in csv.DictReader(handle) if row["unit"] == "count"}


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
            found[key] = [row[STATISTICS[s] + suffix] for s in statistics]
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
        for statistic, actual in zip(statistics, found[key]):
            value = float(line[statistic])
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


def check_workbook(folder, publish):
    book = openpyxl.load_workbook(folder / "forecast.xlsx")
    counts = count_metrics()
    origin = dt.date.fromisoformat(json.loads((folder / "run.json").read_text())["origin_date"])
    special = {"About", "Assumptions", "Option comparison", "Recorded"}
    for name in book.sheetnames:
        sheet = book[name]
        if name not in ("About", "Assumptions") and sheet.freeze_panes != "A2":
            fail(f"sheet {name}: header row not frozen ({sheet.freeze_panes})")
    if "Assumptions" not in book.sheetnames:
        fail("no Assumptions sheet")
    forecast_sheets = [n for n in book.sheetnames if n not in special]
    if (folder / "forecast.csv").is_file():
        check_table(book, forecast_sheets, read_csv(folder / "forecast.csv"),
                    ["mean", "p05", "p25", "p50", "p75", "p95"], False, origin, publish, counts, "forecast")
    if (folder / "comparison.csv").is_file():
        check_table(book, ["Option comparison"], read_csv(folder / "comparison.csv"), ["mean", "p05", "p50", "p95"],
                    True, origin, publish, counts, "comparison")
    if (folder / "history.csv").is_file():
        found = check_table(book, ["Recorded"], read_csv(folder / "history.csv"), ["value"], False, origin, publish,
                            counts, "history")
        if publish and not any(v == ["c"] for v in found.values()):
            fail("history: no count was suppressed, though the fixture has counts of 1-4")
    print(f"{folder / 'forecast.xlsx'}: matches the CSV files ({len(book.sheetnames)} sheets)")


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


def main(argv):
    if argv[0] == "workbook":
        check_workbook(pathlib.Path(argv[1]), "--publish" in argv)
    elif argv[0] == "dpi":
        check_dpi(argv[1:])
    elif argv[0] == "not-blank":
        check_not_blank(argv[1])
    else:
        fail(f"unknown check {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
