#!/usr/bin/env python3
"""The placement mix over time: each placement category's share of children looked after at the
start and at each 31 March, and each category's count at the last 31 March with its intervals.

    python3 plots/placement_mix.py RUN_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc

METRIC = "children_looked_after"
# Categories below this share at every date shown, or without a colour of their own, are drawn
# together, so that the bars need no more colours than a colour-blind-safe palette has.
SMALL_SHARE = 0.03


def placement_mix(folder, note):
    """The placement mix over time."""
    total = folder.require(METRIC)
    origin = folder.origin()
    dates = [origin] + [p.date for p in total if cc.is_31_march(p.date) and p.date > origin]
    means = {}
    for category in folder.categories(METRIC):
        by_date = {p.date: p for p in folder.series(METRIC, category)}
        if all(d in by_date for d in dates) and any(by_date[d].p95 > 0 for d in dates):
            means[category] = [by_date[d].mean for d in dates]
    totals = [sum(values[i] for values in means.values()) for i in range(len(dates))]
    if len(dates) < 2 or not means or min(totals) <= 0:
        raise cc.Skip("the forecast has no placement categories at a 31 March after the start")
    shares = {c: [v / t for v, t in zip(values, totals)] for c, values in means.items()}
    large = [c for c in shares if max(shares[c]) >= SMALL_SHARE and c in cc.CATEGORY_COLOURS]
    small = [c for c in shares if c not in large]

    end = dates[-1]
    change = {c: shares[c][-1] - shares[c][0] for c in large}
    mover = max(change, key=lambda c: abs(change[c]))
    if abs(change[mover]) >= 0.02:
        direction = "grow" if change[mover] > 0 else "shrink"
        title = (f"{cc.category_label(mover)} is expected to {direction} from {shares[mover][0]:.0%} to about "
                 f"{shares[mover][-1]:.0%} of children in care by {cc.month_year(end)}")
    else:
        biggest = max(large, key=lambda c: shares[c][-1])
        title = (f"The placement mix is expected to stay much as it is: {cc.category_label(biggest).lower()} "
                 f"about {shares[biggest][-1]:.0%} of children in care in {cc.month_year(end)}")
    figure, [[mix, counts]] = cc.new_figure(
        title, "Left: share of children looked after in each kind of placement (mean of runs), at the start and "
               "at the end of each financial year. Right: children in each kind at the last 31 March, with "
               "intervals.", columns=2, width_ratios=[1.5, 1], wspace=0.42)

    order = sorted(large, key=lambda c: -shares[c][0])
    labels = ["Start\n" + dates[0].strftime("%b %Y")] + [f"End of\n{cc.financial_year_label(d.year - 1)}"
                                                         for d in dates[1:]]
    segments = [(cc.category_label(c), shares[c], cc.CATEGORY_COLOURS[c]) for c in order]
    if small:
        segments.append(("Other placement types", [sum(shares[c][i] for c in small) for i in range(len(dates))],
                         cc.GROUPED_COLOUR))
    bottom = [0.0] * len(dates)
    for _, values, colour in segments:
        for x, (b, v) in enumerate(zip(bottom, values)):
            if v >= 0.06:
                mix.text(x, b + v / 2, f"{v:.0%}", ha="center", va="center", fontsize=7,
                         color="white" if colour in cc.DARK_COLOURS else "black")
        bottom = [b + v for b, v in zip(bottom, values)]
    cc.stacked_bars(mix, labels, segments)
    mix.set_ylim(0, 1)
    mix.yaxis.set_major_formatter(cc.mticker.PercentFormatter(1.0, decimals=0))
    mix.grid(False)

    rows = list(reversed(order + small))
    ends = [cc.last_31_march(folder.series(METRIC, c)) for c in rows]
    starts = [folder.recorded(METRIC, c) for c in rows]
    cc.interval_bars(counts, range(len(rows)), ends, horizontal=True)
    for y, start in enumerate(starts):
        if start:
            counts.plot([start[-1][1]], [y], "D", markerfacecolor="none", markeredgecolor=cc.RECORDED,
                        markersize=5.5, zorder=5)
    counts.plot([], [], "D", markerfacecolor="none", markeredgecolor=cc.RECORDED, label="Recorded at start")
    counts.plot([], [], "o", color=cc.FAN, label=f"Median, {cc.month_year(end)}")
    counts.plot([], [], color=cc.FAN, linewidth=5, alpha=0.6, label="Middle 50% of runs")
    counts.plot([], [], color=cc.FAN, linewidth=1.2, label="90% of runs")
    counts.set_yticks(range(len(rows)), [cc.category_label(c) for c in rows], fontsize=7.5)
    counts.set_xlim(left=0)
    counts.set_xlabel("Children looked after")
    counts.grid(axis="x", alpha=0.25)
    counts.legend(loc="lower right", fontsize=7)
    chart_note = ("Shares use the mean of runs so that they add up to 100%; the right panel shows each kind's "
                  "uncertainty." + (f" Other placement types (each under {SMALL_SHARE:.0%} throughout): "
                                    f"{', '.join(cc.category_label(c) for c in small)}." if small else ""))
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("placement_mix", figure, title, chart_note)


CHARTS = [placement_mix]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
