#!/usr/bin/env python3
"""Placement stability at each 31 March: the DfE short-term and long-term measures, and moves per
child a year, with their intervals.

    python3 plots/stability.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc

MEASURES = ["stability_short_term", "stability_long_term", "moves_per_child_year"]


def year_ends(points):
    return [p for p in points if cc.is_31_march(p.date)]


def year_label(folder, metric, year_end):
    """'2024-25', or '2024-25' over '(1 month)' for moves in a financial year the forecast covers only in
    part: moves per child-year there come from those months alone, so the year is not a whole one.
    The DfE measures are counted over the whole year, recorded months included."""
    label = cc.financial_year_label(year_end.year - 1)
    origin = folder.origin()
    if metric == "moves_per_child_year" and origin is not None and origin >= cc.dt.date(year_end.year - 1, 4, 1):
        months = (year_end.year - origin.year) * 12 + year_end.month - origin.month
        label += f"\n({months} month{'s' if months != 1 else ''})"
    return label


def stability(folder, note):
    """Placement stability at each 31 March."""
    measures = [m for m in MEASURES if year_ends(folder.series(m))]
    if not measures:
        raise cc.Skip("the forecast has no stability_short_term, stability_long_term or moves_per_child_year rows "
                      "at a 31 March")
    # The title carries the DfE measures; moves per child-year is shown but not headlined.
    words = {
        "stability_short_term": "of children are expected to have 3 or more placements in {year}",
        "stability_long_term": "of children in care long-term to be in stable placements",
    }
    findings = []
    for metric in [m for m in measures if m in words]:
        end = year_ends(folder.series(metric))[-1]
        findings.append(f"about {cc.about(end.p50, 'percent')} " +
                        words[metric].format(year=cc.financial_year_label(end.date.year - 1)))
    if not findings:
        end = year_ends(folder.series(measures[0]))[-1]
        findings.append(f"about {cc.about(end.p50, 'rate')} placement moves per child-year are expected in "
                        f"{cc.financial_year_label(end.date.year - 1)}")
    title = ", and ".join(findings)
    title = title[0].upper() + title[1:]
    figure, [axes] = cc.new_figure(
        title, "At each 31 March, for the financial year ending then: median of runs, middle 50% and 90% of runs. "
               "Hollow diamonds are recorded figures.", columns=len(measures), wspace=0.28)
    for metric, ax in zip(measures, axes):
        points = year_ends(folder.series(metric))
        history = [(d, v) for d, v in folder.recorded(metric) if cc.is_31_march(d)]
        years = sorted({d.year for d, _ in history} | {p.date.year for p in points})
        position = {year: i for i, year in enumerate(years)}
        cc.interval_bars(ax, [position[p.date.year] for p in points], points)
        for d, v in history:
            ax.plot([position[d.year]], [v], "D", markerfacecolor="none", markeredgecolor=cc.RECORDED, markersize=6)
        labels = [year_label(folder, metric, cc.dt.date(y, 3, 31)) for y in years]
        ax.set_xticks(range(len(years)), labels, fontsize=7.5, rotation=45 if len(years) > 5 else 0)
        end = points[-1]
        ax.set_title(cc.textwrap.fill(cc.metric_label(metric), 36) +
                     f"\n{cc.financial_year_label(end.date.year - 1)}: {cc.exact(end.p50, cc.metric_unit(metric))} "
                     f"(90%: {cc.interval(end, cc.metric_unit(metric))})", fontsize=8.5)
        unit = cc.metric_unit(metric)
        cc.value_axis(ax, unit)
        top = max([p.p95 for p in points] + [v for _, v in history])
        ax.set_ylim(0, 100 if unit == "percent" and top > 50 else top * 1.3)
        ax.grid(axis="y", alpha=0.25)
    chart_note = ("Dots: median of runs; thick bars: middle 50% of runs; thin bars: 90% of runs. The short-term "
                  "measure counts children looked after at 31 March with 3 or more placements in the year; the "
                  "long-term measure, children under 16 in care 2.5 years or more who have been in the same "
                  "placement for 2 years or more.")
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("stability", figure, title, chart_note)


CHARTS = [stability]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
