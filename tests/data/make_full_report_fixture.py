#!/usr/bin/env python3
"""Makes a report fixture holding every metric the board-pack charts can use.

    python3 tests/data/make_full_report_fixture.py tests/data/report-fixture tests/data/report-fixture-full

Copies a run folder made by the engine and adds SYNTHETIC rows for each metric the board pack can
chart that the engine did not write (of carers and places, unmet preference, stability, repeat
entries and cost),
a history.csv of recorded figures and a compare folder's comparison.csv. The added numbers are smooth made-up paths with a
spread that widens with time: they exercise the charts, the report and the workbook, and say
nothing about any council. Regenerate the fixture from the engine once it writes these metrics.
"""
import csv
import datetime as dt
import pathlib
import shutil
import sys

# Standard normal quantiles of the 5th, 25th, 75th and 95th percentiles.
Z = {"p05": -1.6449, "p25": -0.6745, "p75": 0.6745, "p95": 1.6449}
WEEKLY_COST = {"foster_in_house": 750, "foster_agency": 1050, "foster_kinship": 450, "placed_for_adoption": 300,
               "placed_with_parents": 150, "childrens_home_external": 6100, "residential_other": 5000,
               "parent_and_child": 3000, "supported_accommodation": 900}


def row(metric, category, date, median, spread, whole):
    """Mean = median, percentiles at median * (1 + z * spread); whole numbers for counts."""
    values = {"mean": median, "p50": median}
    values.update({name: max(0.0, median * (1 + z * spread)) for name, z in Z.items()})
    if whole:
        values = {k: float(round(v)) for k, v in values.items()}
        values["mean"] = median
    return [metric, category, date.isoformat()] + [f"{values[k]:.10g}" for k in ("mean", "p05", "p25", "p50",
                                                                                   "p75", "p95")]


def main(source, target):
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "run.json", target / "run.json")
    with open(source / "forecast.csv", newline="") as handle:
        engine_rows = list(csv.reader(handle))
    header, body = engine_rows[0], engine_rows[1:]
    dates = sorted({dt.date.fromisoformat(r[2]) for r in body})
    origin = dates[0]
    stock = {(r[1], r[2]): float(r[3]) for r in body if r[0] == "children_looked_after"}
    added = []
    for date in dates:
        years = (date - origin).days / 365.25
        spread = 0.02 + 0.05 * years ** 0.5
        iso = date.isoformat()
        added.append(row("carer_households", "foster_in_house", date, 120 - 3 * years, spread, True))
        added.append(row("places_available", "foster_in_house", date, 196 - 6 * years, spread, True))
        added.append(row("places_occupied", "foster_in_house", date, stock[("foster_in_house", iso)], spread, True))
        added.append(row("unmet_preference", "foster_in_house", date, 2 + 4 * years, spread * 3, True))
        added.append(row("unmet_preference", "all", date, 3 + 5 * years, spread * 3, True))
        if date != origin:
            added.append(row("approvals", "foster_in_house", date, 1.0, 0.8, True))
            added.append(row("deregistrations", "foster_in_house", date, 1.3, 0.8, True))
        if date.month == 3 and date.day == 31:
            added.append(row("stability_short_term", "all", date, 13.5 - 0.3 * years, 0.12, False))
            added.append(row("stability_long_term", "all", date, 61 + 0.8 * years, 0.05, False))
            added.append(row("moves_per_child_year", "all", date, 0.42, 0.08, False))
            added.append(row("repeat_entry_percent", "all", date, 8 + 2.5 * years, 0.3, False))
            added.append(row("entries_financial_year", "all", date, 210 + 5 * years, 0.1, True))
            added.append(row("entries_financial_year", "re_entry", date, (210 + 5 * years) * (8 + 2.5 * years) / 100,
                             0.3, True))
    # Costs: the mean stock priced by week, month by month, then by financial year and to date.
    month_costs = {}
    for date in dates[1:]:
        for category, weekly in WEEKLY_COST.items():
            month_costs[(category, date)] = stock[(category, date.isoformat())] * weekly * date.day / 7
    cumulative = 0.0
    for date in dates[1:]:
        spread = 0.03 + 0.04 * ((date - origin).days / 365.25) ** 0.5
        total = sum(month_costs[(c, date)] for c in WEEKLY_COST)
        cumulative += total
        added.append(row("cost", "all", date, total, spread, False))
        added.append(row("cost_cumulative", "all", date, cumulative, spread, False))
        if date.month == 3:
            start = dt.date(date.year - 1, 4, 1)
            for category in list(WEEKLY_COST) + ["all"]:
                categories = WEEKLY_COST if category == "all" else [category]
                value = sum(month_costs[(c, d)] for c in categories for d in dates[1:] if start <= d <= date)
                added.append(row("cost_financial_year", category, date, value, spread, False))
    written = {r[0] for r in body}
    with open(target / "forecast.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body + [r for r in added if r[0] not in written])

    with open(target / "history.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["metric", "category", "date", "value"])
        for year, total, in_house, parents_child in [(2022, 402, 170, 4), (2023, 447, 188, 2), (2024, 436, 180, 3)]:
            march = f"{year}-03-31"
            writer.writerow(["children_looked_after", "all", march, total])
            writer.writerow(["children_looked_after", "foster_in_house", march, in_house])
            writer.writerow(["children_looked_after", "parent_and_child", march, parents_child])
            writer.writerow(["children_looked_after", "other", march, 1])
            writer.writerow(["stability_short_term", "all", march, 12 + (year - 2022)])
            writer.writerow(["stability_long_term", "all", march, 64 - 2 * (year - 2022)])
            writer.writerow(["places_available", "foster_in_house", march, 200 - 2 * (year - 2022)])
            young, older = 168 + 4 * (year - 2022), 131 + 6 * (year - 2022)
            writer.writerow(["care_leavers", "18_to_20", march, young])
            writer.writerow(["care_leavers", "21_to_25", march, older])
            writer.writerow(["care_leavers", "all", march, young + older])

    with open(target / "comparison.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["option", "metric", "category", "date", "mean", "p05", "p50", "p95"])
        options = [("recruit 20 in-house carers", -0.9e6, -4, 1), ("open a 4-bed home", -0.3e6, -1, -2),
                   ("step down 5 from residential", -0.45e6, 0, 0)]
        for option, saving, unmet, children in options:
            for date in dates[1:]:
                share = (date - origin).days / (dates[-1] - origin).days
                for metric, centre, half_width in [("children_looked_after", children * share, 6 * share + 1),
                                                   ("unmet_preference", unmet * share, 3 * share + 1)]:
                    writer.writerow([option, metric, "all", date.isoformat(), f"{centre:.4g}",
                                     f"{centre - half_width:.4g}", f"{centre:.4g}", f"{centre + half_width:.4g}"])
                if date.month == 3:
                    centre = saving * min(1.0, 2 * share)
                    writer.writerow([option, "cost_financial_year", "all", date.isoformat(), f"{centre:.6g}",
                                     f"{centre - 0.5e6:.6g}", f"{centre:.6g}", f"{centre + 0.5e6:.6g}"])
                    # Two cost lines adding up to the total, for the chart of what drives it.
                    for category, part in (("foster_agency", 1.4), ("foster_in_house", -0.4)):
                        line = centre * part
                        writer.writerow([option, "cost_financial_year", category, date.isoformat(), f"{line:.6g}",
                                         f"{line - 0.3e6:.6g}", f"{line:.6g}", f"{line + 0.3e6:.6g}"])


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]))
