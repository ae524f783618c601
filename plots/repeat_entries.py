#!/usr/bin/env python3
"""Repeat entries: of the children coming into care in each financial year, the percentage who had
been looked after before, with its interval (scenarios with [re_entry]). In the board pack.

    python3 plots/repeat_entries.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc

METRIC = "repeat_entry_percent"


def repeat_entries(folder, note):
    """Repeat entries at each 31 March."""
    points = [p for p in folder.series(METRIC) if cc.is_31_march(p.date)]
    if not points:
        raise cc.Skip("the forecast has no repeat_entry_percent rows at a 31 March (the scenario has no [re_entry])")
    end = points[-1]
    year = cc.financial_year_label(end.date.year - 1)
    title = f"About {cc.about(end.p50, 'percent')} of children coming into care in {year} are expected to have been looked after before"
    figure, [[ax]] = cc.new_figure(
        title, "For the financial year ending at each 31 March: median of runs, middle 50% and 90% of runs. "
               "Hollow diamonds are recorded figures.")
    history = [(d, v) for d, v in folder.recorded(METRIC) if cc.is_31_march(d)]
    years = sorted({d.year for d, _ in history} | {p.date.year for p in points})
    position = {y: i for i, y in enumerate(years)}
    cc.interval_bars(ax, [position[p.date.year] for p in points], points)
    for d, v in history:
        ax.plot([position[d.year]], [v], "D", markerfacecolor="none", markeredgecolor=cc.RECORDED, markersize=6)
    ax.set_xticks(range(len(years)), [cc.financial_year_label(y - 1) for y in years], fontsize=7.5,
                  rotation=45 if len(years) > 5 else 0)
    ax.set_title(cc.metric_label(METRIC) + f"\n{year}: {cc.exact(end.p50, 'percent')} (90%: {cc.interval(end, 'percent')})",
                 fontsize=8.5)
    cc.value_axis(ax, "percent")
    top = max([p.p95 for p in points] + [v for _, v in history])
    ax.set_ylim(0, top * 1.3 if top > 0 else 1)
    ax.grid(axis="y", alpha=0.25)
    chart_note = ("Dots: median of runs; thick bars: middle 50% of runs; thin bars: 90% of runs. A repeat entry is a "
                  "child coming back into care after a return home or a child arrangements order. Children who left "
                  "care before the forecast's origin are not simulated, so the first years can be too low.")
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("repeat_entries", figure, title, chart_note)


CHARTS = [repeat_entries]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
