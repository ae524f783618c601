#!/usr/bin/env python3
"""Care leavers aged 18 to 25 by age band over time, with their intervals, and the cost of leaving-care
support by financial year.

    python3 plots/care_leavers.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc
import cost

METRIC = "care_leavers"
BANDS = [("18_to_20", "#009E73"), ("21_to_25", cc.SECOND)]
COST = "cost_financial_year"


def care_leavers(folder, note):
    """Care leavers aged 18 to 25, and what supporting them costs."""
    points = folder.require(METRIC)
    # Recorded care leavers before the forecast (history.csv), as the children-looked-after chart
    # draws its history: in all, and each age band's in its colour.
    history = folder.recorded(METRIC)
    start = history[-1][1] if history else points[0].p50
    end = cc.last_31_march(points)
    title = f"Care leavers aged 18 to 25 {cc.trend(start, end)}"
    # A band's recorded figures before the origin only: its origin value is its forecast's start.
    bands = [(band, colour, folder.series(METRIC, band),
              [(d, v) for d, v in folder.recorded(METRIC, band) if d < points[0].date]) for band, colour in BANDS]
    bands = [(band, colour, series, recorded) for band, colour, series, recorded in bands if series]
    years = cost.complete_years(folder, folder.series(COST, METRIC))
    columns = 2 if years else 1
    figure, [axes] = cc.new_figure(
        title, "Care leavers at each month end, in all and by age: median, middle 50% and 90% of runs, and the "
               "recorded figures before them" +
               (". Right: the cost of leaving-care support in each whole financial year." if years else "."),
        columns=columns, wspace=0.3)
    ax = axes[0]
    cc.fan(ax, points, label_prefix="All: ")
    cc.recorded(ax, history, label="All: recorded")
    for band, colour, series, recorded in bands:
        label = cc.category_label(band)
        ax.fill_between([p.date for p in series], [p.p05 for p in series], [p.p95 for p in series], color=colour,
                        alpha=0.14, linewidth=0)
        ax.plot([p.date for p in series], [p.p50 for p in series], color=colour, linewidth=1.4, linestyle="--",
                label=f"{label}: median and 90%")
        cc.recorded(ax, recorded, label=f"{label}: recorded", colour=colour, marker="s")
    ax.annotate(f"{cc.long_date(end.date)}\nmedian {end.p50:,.0f}\n90%: {cc.interval(end)}", (end.date, end.p50),
                xytext=(-8, 14), textcoords="offset points", fontsize=8, color=cc.FAN, ha="right")
    first = min([points[0].date] + [d for d, _ in history] + [d for *_, recorded in bands for d, _ in recorded])
    cc.financial_year_axis(ax, first, points[-1].date, max_labels=6)
    cc.value_axis(ax, "count")
    # Recorded figures above the forecast's spread (a falling history) stay in view.
    ax.set_ylim(bottom=0, top=max([p.p95 for p in points] + [v for _, v in history]) * 1.2)
    ax.set_ylabel("Care leavers")
    ax.set_title("Care leavers, in all and by age")
    ax.legend(loc="lower left", ncol=2, fontsize=7.5)
    if years:
        bars = axes[1]
        positions = range(len(years))
        bars.bar(positions, [p.p50 for p in years], color=cc.FAN, alpha=0.25, width=0.6)
        cc.interval_bars(bars, positions, years)
        for x, p in zip(positions, years):
            bars.text(x + 0.08, p.p50, cc.money(p.p50), fontsize=7.5, va="bottom", ha="left", color=cc.FAN)
        bars.set_xticks(list(positions), [cost.year_label(p) for p in years], fontsize=7.5)
        bars.set_title("Leaving-care cost by financial year")
        cc.value_axis(bars, "pounds")
        bars.set_ylim(0, max(p.p95 for p in years) * 1.15)
        bars.set_xlim(-0.9, len(years) - 0.1)  # a bar keeps its width however few the years
        bars.grid(axis="y", alpha=0.25)
    last_cost = years[-1] if years else None
    chart_note = (cc.BANDS_NOTE + " Dashed lines and light bands: each age band's median and 90% of runs" +
                  ("; squares, its recorded figures. " if any(recorded for *_, recorded in bands) else ". ") +
                  "Care leavers are young people who were looked after, from leaving care to 25 (21 for those "
                  "who do not ask for support after 21), as the scenario's [care_leavers] section models them." + (
                      " Costs as the scenario prices them: weekly costs by status, personal adviser time and "
                      "one-off allowances." if years else ""))
    cc.footnote(figure, folder, chart_note, note)
    caption = (f"{chart_note} At {cc.long_date(end.date)} the median is {end.p50:,.0f} care leavers and 90% of runs "
               f"lie between {end.p05:,.0f} and {end.p95:,.0f}." + (
                   f" Leaving-care cost in {cost.year_label(last_cost)}: median {cc.money(last_cost.p50)} (90% "
                   f"interval {cc.interval(last_cost, 'pounds')})." if last_cost else ""))
    return cc.Chart("care_leavers", figure, title, caption)


CHARTS = [care_leavers]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
