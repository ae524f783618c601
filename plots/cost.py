#!/usr/bin/env python3
"""Placement cost by financial year, with intervals, and its split by placement category.

    python3 plots/cost.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import datetime as dt

import carecast_charts as cc

METRIC = "cost_financial_year"
CARE_LEAVERS = "care_leavers"  # the cost category of leaving-care support, not a placement category


def complete_years(folder, points):
    """Financial years the forecast covers whole: a part year would look like a fall in spending."""
    origin = folder.origin()
    return [p for p in points if cc.is_31_march(p.date) and dt.date(p.date.year - 1, 4, 1) > origin]


def year_label(point):
    return cc.financial_year_label(point.date.year - 1)


def part_year_label(folder, point):
    """'2029-30 (11 months)': a year the forecast covers in part, with the months it covers."""
    start_year = point.date.year - 1 if point.date.month <= 3 else point.date.year
    start = dt.date(start_year, 4, 1)
    origin = folder.origin()
    if start <= origin:
        months = (point.date.year - origin.year) * 12 + point.date.month - origin.month
    else:
        months = (point.date.year - start.year) * 12 + point.date.month - start.month + 1
    return f"{cc.financial_year_label(start_year)} ({months} month{'s' if months != 1 else ''})"


def cost(folder, note):
    """Placement cost by financial year."""
    all_points = folder.require(METRIC)
    years = complete_years(folder, all_points)
    if not years:
        raise cc.Skip("the forecast covers no whole financial year")
    first, last = years[0], years[-1]
    # Since care leavers are simulated, the total holds leaving-care costs as well as placements.
    with_leavers = CARE_LEAVERS in folder.categories(METRIC)
    what = "Placement and leaving-care costs" if with_leavers else "Placement costs"
    if last.p25 > first.p50:
        title = (f"{what} are likely to rise from about {cc.money(first.p50)} in {year_label(first)} to "
                 f"about {cc.money(last.p50)} in {year_label(last)} (90% interval {cc.interval(last, 'pounds')})")
    elif last.p75 < first.p50:
        title = (f"{what} are likely to fall from about {cc.money(first.p50)} in {year_label(first)} to "
                 f"about {cc.money(last.p50)} in {year_label(last)} (90% interval {cc.interval(last, 'pounds')})")
    else:
        title = (f"{what} are expected to stay about {cc.money(first.p50)} a year to {year_label(last)} "
                 f"(90% interval in {year_label(last)}: {cc.interval(last, 'pounds')})")
    categories = [c for c in folder.categories(METRIC) if complete_years(folder, folder.series(METRIC, c))]
    columns = 2 if categories else 1
    figure, [axes] = cc.new_figure(
        title, ("Gross placement and leaving-care cost" if with_leavers else "Gross placement cost")
        + " in each whole financial year. Left: median with the middle 50% and 90% of runs. Right: the mean split "
        "by placement category" + (", and care leavers aged 18 to 25." if with_leavers else "."), columns=columns, wspace=0.3,
        **({"width_ratios": [1, 1.25]} if categories else {}))
    ax = axes[0]
    positions = range(len(years))
    ax.bar(positions, [p.p50 for p in years], color=cc.FAN, alpha=0.25, width=0.6)
    cc.interval_bars(ax, positions, years)
    for x, p in zip(positions, years):
        ax.text(x + 0.08, p.p50, cc.money(p.p50), fontsize=7.5, va="bottom", ha="left", color=cc.FAN)
    ax.set_xticks(list(positions), [year_label(p) for p in years])
    ax.set_title("Total, with intervals")
    cc.value_axis(ax, "pounds")
    ax.set_ylim(0, max(p.p95 for p in years) * 1.1)
    ax.grid(axis="y", alpha=0.25)
    grouped = []
    if categories:
        grouped = breakdown(axes[1], folder, categories, years)
        axes[1].set_title("By placement category" + (" and care leavers" if with_leavers else "") + " (mean of runs)")
        cc.value_axis(axes[1], "pounds")
        axes[1].grid(axis="y", alpha=0.25)
    part_years = [part_year_label(folder, p) for p in all_points if p not in years and p.date > folder.origin()]
    chart_note = ("Costs as the scenario prices them. " + (
        f"Part years left out: {', '.join(part_years)}. " if part_years else "") +
        "Category means add up to the total's mean, which differs a little from its median." + (
        f" Other placement types: {', '.join(cc.category_label(c) for c in grouped)}." if grouped else ""))
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("cost_by_financial_year", figure, title, chart_note)


def breakdown(ax, folder, categories, years):
    """Stacked mean cost by category; returns the categories drawn together as other types."""
    dates = [p.date for p in years]
    means = {}
    for category in categories:
        by_date = {p.date: p.mean for p in folder.series(METRIC, category)}
        means[category] = [by_date.get(d, 0.0) for d in dates]
    order = sorted(means, key=lambda c: -means[c][-1])
    named = [c for c in order if c in cc.CATEGORY_COLOURS]
    rest = [c for c in order if c not in cc.CATEGORY_COLOURS and c != CARE_LEAVERS]
    segments = [(cc.category_label(c), means[c], cc.CATEGORY_COLOURS[c]) for c in named]
    if CARE_LEAVERS in means:  # leaving-care costs are not a placement type: their own segment, in dark grey
        segments.append(("Care leavers (18 to 25)", means[CARE_LEAVERS], cc.MUTED))
    if rest:
        segments.append(("Other placement types", [sum(means[c][i] for c in rest) for i in range(len(dates))],
                         cc.GROUPED_COLOUR))
    cc.stacked_bars(ax, [year_label(p) for p in years], segments)
    return rest


CHARTS = [cost]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
