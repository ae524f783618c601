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


def unchanged(rows):
    """No option moves the measure in 90% of runs: a panel of dots on zero says nothing."""
    return all(p.p05 == 0 and p.p95 == 0 for _, p in rows)


def panels_to_draw(folder):
    """The measures drawn, in the board's order, each with its date and rows, and the measures left
    out because no option changes them."""
    metrics = list(dict.fromkeys(m for (_, m, c) in folder.comparison if c == "all"))
    metrics = sorted(metrics, key=lambda m: PRIORITY.index(m) if m in PRIORITY else len(PRIORITY))
    drawn, unchanged_metrics = [], []
    for metric in metrics:
        date = comparison_date(folder, metric)
        rows = differences(folder, metric, date)
        if not rows:
            continue
        if cc.metric_unit(metric) == "probability":
            continue  # a share of runs, not a difference with an interval
        if unchanged(rows):
            if metric in PRIORITY:
                unchanged_metrics.append(metric)
        elif len(drawn) < MAXIMUM_PANELS:
            drawn.append((metric, date, rows))
    return drawn, unchanged_metrics


def headline(panels):
    """The clearest difference in the first measure that has one, so that the title never denies
    a difference another panel shows."""
    for metric, date, rows in panels:
        if any(p.p05 > 0 or p.p95 < 0 for _, p in rows):
            return finding(metric, date, rows)
    return "No option makes a clear difference to these measures: every 90% interval includes no change"


def option_comparison(folder, note):
    """Options compared with the base scenario."""
    if not folder.comparison:
        raise cc.Skip("the folder has no comparison.csv")
    panels, unchanged_metrics = panels_to_draw(folder)
    if not panels:
        raise cc.Skip("no option changes any measure in 90% of runs" if unchanged_metrics
                      else "comparison.csv has no rows for category 'all'")
    title = headline(panels)
    options = folder.options()
    # Two panels a row, so that each panel's title has room: four side by side overlapped.
    columns = min(2, len(panels))
    rows_of_panels = (len(panels) + columns - 1) // columns
    names_width = 0.25 + 0.075 * max(len(option) for option in options)
    figure, axes = cc.new_figure(
        title, "Difference each option makes against the base scenario, run on the same simulated children: "
               "median and 90% interval. Left of the line: the option lowers the measure.",
        rows=rows_of_panels, columns=columns, height=1.9 + rows_of_panels * (1.5 + 0.4 * len(options)),
        wspace=0.12 + names_width / 4, hspace=0.75, left=names_width)
    position = {option: len(options) - 1 - i for i, option in enumerate(options)}
    for index, (metric, date, rows) in enumerate(panels):
        ax = axes[index // columns][index % columns]
        cc.interval_bars(ax, [position[o] for o, _ in rows], [p for _, p in rows], horizontal=True)
        unit = cc.metric_unit(metric)
        for option, p in rows:
            ax.annotate(cc.exact(p.p50, unit), (p.p50, position[option]), xytext=(0, 6), textcoords="offset points",
                        ha="center", fontsize=7, color=cc.FAN)
        ax.axvline(0, color=cc.RECORDED, linewidth=0.9)
        # Options are named on every panel: with two panels a row, a reader should not have to look
        # across to find which row is which.
        ax.set_yticks(range(len(options)), list(reversed(options)))
        ax.set_ylim(-0.6, len(options) - 0.4)
        ax.set_title(cc.textwrap.fill(f"{measure(metric)} {when(metric, date)}", 44), fontsize=8.5)
        cc.value_axis(ax, unit, axis="x")
        ax.xaxis.set_major_locator(cc.mticker.MaxNLocator(nbins=4, steps=[1, 2, 5, 10], symmetric=True))
        ax.grid(axis="x", alpha=0.25)
        span = max([abs(p.p05) for _, p in rows] + [abs(p.p95) for _, p in rows])
        # Whole units at least, so that a small difference never gets ticks that round alike ("-0 0 0").
        ax.set_xlim(-max(span * 1.25, 1.0), max(span * 1.25, 1.0))
    for index in range(len(panels), rows_of_panels * columns):
        axes[index // columns][index % columns].set_visible(False)
    chart_note = ("Differences from the base scenario on the same simulated children (common random numbers), so "
                  "chance variation shared by both cancels. Dots: median difference; bars: 90% of runs." + (
                      " Not drawn, as no option changes them in 90% of runs: " +
                      ", ".join(dict.fromkeys(measure(m).lower() for m in unchanged_metrics)) + "."
                      if unchanged_metrics else ""))
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("option_comparison", figure, title, chart_note)


CHARTS = [option_comparison]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
