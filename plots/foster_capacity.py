#!/usr/bin/env python3
"""In-house foster care: places against the children in them, and children placed against the
kind of placement they needed because no place was free.

    python3 plots/foster_capacity.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc

RESOURCE = "foster_in_house"


def capacity_finding(folder):
    available = cc.last_31_march(folder.series("places_available", RESOURCE))
    occupied = {p.date: p for p in folder.series("places_occupied", RESOURCE)}[available.date]
    return (f"In-house foster carers are expected to have about {occupied.p50 / available.p50:.0%} of their places "
            f"filled in {cc.month_year(available.date)} ({occupied.p50:,.0f} children in {available.p50:,.0f} "
            f"places, medians)")


def capacity_panel(ax, folder):
    available = folder.series("places_available", RESOURCE)
    occupied = folder.series("places_occupied", RESOURCE)
    # Places as a line with dotted 90% limits, children placed as a fan: two filled fans over each
    # other would mix into a colour that belongs to neither.
    cc.fan(ax, occupied, colour=cc.FAN, label_prefix="Children placed: ")
    dates = [p.date for p in available]
    ax.plot(dates, [p.p50 for p in available], color=cc.SECOND, linewidth=1.8, label="Places: median")
    ax.plot(dates, [p.p05 for p in available], color=cc.SECOND, linewidth=1, linestyle=":", label="Places: 90% of runs")
    ax.plot(dates, [p.p95 for p in available], color=cc.SECOND, linewidth=1, linestyle=":")
    cc.recorded(ax, folder.recorded("places_available", RESOURCE), label="Places recorded")
    ax.set_title("In-house foster care: places and children in them")
    cc.financial_year_axis(ax, min(dates[0], occupied[0].date), max(dates[-1], occupied[-1].date))
    cc.value_axis(ax, "count")
    ax.set_ylim(bottom=0, top=max(p.p95 for p in available + occupied) * 1.45)
    ax.legend(loc="upper left", fontsize=7, ncol=2)


def preference_finding(folder):
    end = cc.last_31_march(folder.series("unmet_preference"))
    if end.p95 == 0:
        return (f"children are rarely placed against preference (none in {cc.month_year(end.date)} in 95% of "
                f"runs)")
    about = cc.about(end.p50)
    children = "child a month (90% interval {}) is" if about == "1" else "children a month (90% interval {}) are"
    return (f"about {about} {children.format(cc.interval(end))} expected to be placed "
            f"against preference by {cc.month_year(end.date)}")


def preference_panel(ax, folder):
    points = folder.series("unmet_preference")
    cc.fan(ax, points)
    in_house = folder.series("unmet_preference", RESOURCE)
    if in_house:
        ax.plot([p.date for p in in_house], [p.p50 for p in in_house], color=cc.SECOND, linewidth=1.3,
                linestyle="--", label="of whom wanting in-house foster care: median")
    cc.recorded(ax, folder.recorded("unmet_preference"))
    ax.set_title("Children placed against preference, each month")
    cc.financial_year_axis(ax, points[0].date, points[-1].date)
    cc.value_axis(ax, "count")
    ax.set_ylim(bottom=0, top=max(max(p.p95 for p in points), 4) * 1.3)
    ax.legend(loc="upper left", fontsize=7)


def foster_capacity(folder, note):
    """In-house foster places against demand, and children placed against preference."""
    panels = []
    if folder.series("places_available", RESOURCE) and folder.series("places_occupied", RESOURCE):
        panels.append((capacity_finding, capacity_panel))
    if folder.series("unmet_preference"):
        panels.append((preference_finding, preference_panel))
    if not panels:
        raise cc.Skip(f"the forecast has no places_available and places_occupied rows for {RESOURCE} and no "
                      "unmet_preference rows")
    title = "; ".join(finding(folder) for finding, _ in panels)
    title = title[0].upper() + title[1:]
    figure, [axes] = cc.new_figure(
        title, "Left: in-house foster places at each month end (occupied or not) and the children in them. Right: "
               "children placed each month other than in the kind of placement wanted, because none was free.",
        columns=len(panels), wspace=0.18)
    for (_, panel), ax in zip(panels, axes):
        panel(ax, folder)
    chart_note = (cc.BANDS_NOTE + " Places and children placed are separate forecasts: compare their medians. "
                  "Placements against preference are counted in the month they are made.")
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("foster_capacity", figure, title, chart_note)


CHARTS = [foster_capacity]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
