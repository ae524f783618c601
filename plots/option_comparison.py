#!/usr/bin/env python3
"""Options against the base scenario: the difference each option makes, with its interval, from a
compare folder's comparison.csv.

    python3 plots/option_comparison.py COMPARE_FOLDER [--out DIR] [--note TEXT]
"""
import datetime as dt

import carecast_charts as cc

# The measures a board asks about first; others in the file follow in file order.
PRIORITY = ["cost_financial_year", "cost_cumulative", "children_looked_after", "unmet_preference",
            "places_available", "stability_short_term", "stability_long_term", "placement_moves"]
MAXIMUM_PANELS = 4


def comparison_date(folder, metric):
    """The date a measure is compared at: its last 31 March (the last whole financial year for
    costs by year), else its last date."""
    dates = sorted({p.date for (_, m, c), points in folder.comparison.items() if m == metric and c == "all"
                    for p in points})
    marches = [d for d in dates if cc.is_31_march(d)]
    if metric == "cost_financial_year":
        origin = folder.origin()
        marches = [d for d in marches if origin is None or dt.date(d.year - 1, 4, 1) > origin]
    return (marches or dates)[-1]


def when(metric, date):
    period = cc.metric_period(metric)
    if period == "year":
        return f"in {cc.financial_year_label(date.year - 1)}"
    return f"{'in' if period == 'month' else 'by'} {cc.month_year(date)}"


def differences(folder, metric, date):
    rows = []
    for option in folder.options():
        point = next((p for p in folder.comparison.get((option, metric, "all"), []) if p.date == date), None)
        if point is not None and point.p05 is not None:
            rows.append((option, point))
    return rows


def measure(metric):
    # "Placement cost in 2028-29" reads better than "Placement cost in the financial year in 2028-29".
    return "Placement cost" if metric == "cost_financial_year" else cc.metric_label(metric)


def finding(metric, date, rows):
    unit = cc.metric_unit(metric)
    label = measure(metric).lower()
    clear = [(o, p) for o, p in rows if p.p05 > 0 or p.p95 < 0]
    if clear:
        option, p = max(clear, key=lambda row: abs(row[1].p50))
        verb = "raise" if p.p50 > 0 else "lower"
        return (f"'{option}' is very likely to {verb} {label} {when(metric, date)} by about "
                f"{cc.about(abs(p.p50), unit)} (90% interval {cc.exact(p.p05, unit)} to {cc.exact(p.p95, unit)})")
    return f"No option makes a clear difference to {label} {when(metric, date)}: every 90% interval includes no change"


def option_comparison(folder, note):
    """Options compared with the base scenario."""
    if not folder.comparison:
        raise cc.Skip("the folder has no comparison.csv")
    metrics = list(dict.fromkeys(m for (_, m, c) in folder.comparison if c == "all"))
    metrics = sorted(metrics, key=lambda m: PRIORITY.index(m) if m in PRIORITY else len(PRIORITY))[:MAXIMUM_PANELS]
    if not metrics:
        raise cc.Skip("comparison.csv has no rows for category 'all'")
    panels = [(m, comparison_date(folder, m)) for m in metrics]
    title = finding(panels[0][0], panels[0][1], differences(folder, *panels[0]))
    options = folder.options()
    figure, [axes] = cc.new_figure(
        title, "Difference each option makes against the base scenario, run on the same simulated children: "
               "median and 90% interval. Left of the line: the option lowers the measure.",
        columns=len(panels), height=2.8 + 0.45 * len(options), wspace=0.12,
        left=0.25 + 0.075 * max(len(option) for option in options))
    for index, ((metric, date), ax) in enumerate(zip(panels, axes)):
        rows = differences(folder, metric, date)
        position = {option: len(options) - 1 - i for i, option in enumerate(options)}
        cc.interval_bars(ax, [position[o] for o, _ in rows], [p for _, p in rows], horizontal=True)
        unit = cc.metric_unit(metric)
        for option, p in rows:
            ax.annotate(cc.exact(p.p50, unit), (p.p50, position[option]), xytext=(0, 6), textcoords="offset points",
                        ha="center", fontsize=7, color=cc.FAN)
        ax.axvline(0, color=cc.RECORDED, linewidth=0.9)
        # Options are named once, on the first panel; the others share its rows.
        ax.set_yticks(range(len(options)), list(reversed(options)) if index == 0 else [""] * len(options))
        ax.set_ylim(-0.6, len(options) - 0.4)
        ax.set_title(cc.textwrap.fill(f"{measure(metric)} {when(metric, date)}", 34), fontsize=8.5)
        cc.value_axis(ax, unit, axis="x")
        ax.xaxis.set_major_locator(cc.mticker.MaxNLocator(nbins=4, steps=[1, 2, 5, 10], symmetric=True))
        ax.grid(axis="x", alpha=0.25)
        span = max([abs(p.p05) for _, p in rows] + [abs(p.p95) for _, p in rows] + [1e-9])
        ax.set_xlim(-span * 1.25, span * 1.25)
    chart_note = ("Differences from the base scenario on the same simulated children (common random numbers), so "
                  "chance variation shared by both cancels. Dots: median difference; bars: 90% of runs.")
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("option_comparison", figure, title, chart_note)


CHARTS = [option_comparison]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
