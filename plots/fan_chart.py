#!/usr/bin/env python3
"""Fan charts of children looked after: the total, and each main placement category.

    python3 plots/fan_chart.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import datetime as dt
import math

import carecast_charts as cc

METRIC = "children_looked_after"
# A category is drawn when its 95th percentile reaches this many children at some date: smaller
# ones would be panels of noise around zero.
MAIN_CATEGORY_MINIMUM = 5
# Years of recorded figures before the forecast drawn in each placement category's panel.
PANEL_HISTORY_YEARS = 2


def total_chart(folder, note):
    """Children looked after in total."""
    points = folder.require(METRIC)
    history = folder.recorded(METRIC)
    start = history[-1][1] if history else points[0].p50
    end = cc.last_31_march(points)
    title = f"Children in care {cc.trend(start, end)}"
    figure, [[ax]] = cc.new_figure(
        title, "Children looked after at each month end: the forecast's median and spread, and the recorded "
               "figures before it.")
    cc.fan(ax, points)
    cc.recorded(ax, history)
    ax.plot([end.date], [end.p50], "o", color=cc.FAN, markersize=5)
    # Near the chart's right edge (the last 31 March is at or close to the horizon) the label goes to
    # the left of its point, so that it is not cut off.
    first_shown = min([points[0].date] + [d for d, _ in history])
    at_edge = (points[-1].date - end.date) < (points[-1].date - first_shown) * 0.2
    ax.annotate(f"{cc.long_date(end.date)}\nmedian {end.p50:,.0f}\n90%: {cc.interval(end)}", (end.date, end.p50),
                xytext=(-8 if at_edge else 8, 14), textcoords="offset points", fontsize=8, color=cc.FAN,
                ha="right" if at_edge else "left")
    first = min([points[0].date] + [d for d, _ in history])
    cc.financial_year_axis(ax, first, points[-1].date)
    cc.value_axis(ax, "count")
    # Recorded figures above the forecast's spread (a falling history) stay in view.
    ax.set_ylim(bottom=0, top=max([p.p95 for p in points] + [v for _, v in history]) * 1.15)
    ax.set_ylabel("Children looked after")
    ax.legend(loc="lower left", ncol=4, fontsize=8)
    cc.footnote(figure, folder, cc.BANDS_NOTE, note)
    caption = (f"{cc.BANDS_NOTE} At {cc.long_date(end.date)} the median is {end.p50:,.0f} and 90% of runs lie "
               f"between {end.p05:,.0f} and {end.p95:,.0f}.")
    return cc.Chart("children_looked_after", figure, title, caption)


def by_placement_chart(folder, note):
    """Children looked after by placement category."""
    categories = [c for c in folder.categories(METRIC)
                  if folder.series(METRIC, c) and max(p.p95 for p in folder.series(METRIC, c)) >= MAIN_CATEGORY_MINIMUM]
    if not categories:
        raise cc.Skip("no placement category has children")
    changes = []
    for category in categories:
        points = folder.series(METRIC, category)
        history = folder.recorded(METRIC, category)
        start = history[-1][1] if history else points[0].p50
        end = cc.last_31_march(points)
        changes.append((abs(end.p50 - start), category, start, end))
    _, biggest, start, end = max(changes)
    title = (f"{cc.category_label(biggest)} changes most of any placement type: it "
             f"{cc.trend(start, end, plural=False)}")
    columns = 3
    rows = math.ceil(len(categories) / columns)
    figure, axes = cc.new_figure(
        title, "Children looked after by placement category at each month end. Each panel has its own scale.",
        rows=rows, columns=columns, height=1.9 + 2.1 * rows, hspace=0.55, wspace=0.22)
    # One time span for every panel, so that they line up although a figures file may record only some
    # categories: the forecast and the recorded figures of the last PANEL_HISTORY_YEARS before it (in
    # a small panel a longer past would squeeze the forecast; the total's chart shows all of it).
    forecast_start = min(folder.series(METRIC, c)[0].date for c in categories)
    history_from = forecast_start - dt.timedelta(days=round(365.25 * PANEL_HISTORY_YEARS))

    def panel_history(category):
        return [(d, v) for d, v in folder.recorded(METRIC, category) if d >= history_from]

    first = min([forecast_start] + [d for c in categories for d, _ in panel_history(c)])
    for index, category in enumerate(categories):
        ax = axes[index // columns][index % columns]
        points = folder.series(METRIC, category)
        point = cc.last_31_march(points)
        cc.fan(ax, points)
        history = panel_history(category)
        cc.recorded(ax, history)
        ax.set_title(f"{cc.category_label(category)}\n{cc.month_year(point.date)}: median {point.p50:,.0f} "
                     f"(90%: {cc.interval(point)})", fontsize=8.5)
        cc.financial_year_axis(ax, first, points[-1].date, max_labels=5)
        ax.tick_params(axis="x", which="minor", labelsize=7)
        cc.value_axis(ax, "count")
        ax.set_ylim(bottom=0, top=max([p.p95 for p in points] + [v for _, v in history] + [1]) * 1.1)
    for index in range(len(categories), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    shown = [cc.category_label(c) for c in categories]
    left_out = [cc.category_label(c) for c in folder.categories(METRIC) if c not in categories]
    older = any(d < history_from for c in categories for d, _ in folder.recorded(METRIC, c))
    history_note = (f" Recorded figures from {PANEL_HISTORY_YEARS} years before the forecast; earlier ones are on "
                    f"the chart of the total." if older else "")
    chart_note = cc.BANDS_NOTE + history_note + (f" Not shown (fewer than {MAIN_CATEGORY_MINIMUM} children in 95% of runs "
                                  f"throughout): {', '.join(left_out)}." if left_out else "")
    cc.footnote(figure, folder, chart_note, note)
    caption = f"{cc.BANDS_NOTE}{history_note} Panels: {', '.join(shown)}." + (
        f" Categories with fewer than {MAIN_CATEGORY_MINIMUM} children throughout are left out." if left_out else "")
    return cc.Chart("children_looked_after_by_placement", figure, title, caption)


CHARTS = [total_chart, by_placement_chart]


if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
