#!/usr/bin/env python3
"""What drives each option's net cost: its difference from the base by cost line (placement
category, carer support, fees, ...) to the horizon, from a compare folder's comparison.csv.

    python3 plots/option_cost_drivers.py COMPARE_FOLDER [--out DIR] [--note TEXT]
"""
import carecast_charts as cc

METRIC = "cost_financial_year"
# Cost lines drawn for each option; smaller ones are drawn together as one bar.
LINES_DRAWN = 6
SAVING = "#009E73"
EXTRA_COST = "#D55E00"


def drivers(folder):
    """{option: [(cost line, mean net cost to the horizon)]}, largest first. Means over paired runs
    add up (unlike medians), so each option's lines sum to the mean of its net cost to the horizon.
    Every financial year after the forecast start counts, the part years included."""
    origin = folder.origin()
    result = {}
    for option in folder.options():
        lines = {}
        for (o, metric, category), points in folder.comparison.items():
            if o != option or metric != METRIC or category == "all":
                continue
            total = sum(p.mean for p in points if p.mean is not None and (origin is None or p.date > origin))
            lines[category] = total
        if lines:
            result[option] = sorted(lines.items(), key=lambda line: -abs(line[1]))
    return result


def drawn_lines(lines):
    """The largest lines, and the rest as one 'other cost lines' bar where there is a rest."""
    shown = [(cc.category_label(c), v) for c, v in lines[:LINES_DRAWN]]
    rest = lines[LINES_DRAWN:]
    if rest:
        shown.append((f"{len(rest)} other cost lines", sum(v for _, v in rest)))
    return [(label, value) for label, value in shown if value != 0 or label.endswith("cost lines")]


def option_cost_drivers(folder, note):
    """What drives each option's net cost."""
    if not folder.comparison:
        raise cc.Skip("the folder has no comparison.csv")
    by_option = {o: lines for o, lines in drivers(folder).items() if any(v != 0 for _, v in lines)}
    if not by_option:
        raise cc.Skip("comparison.csv has no option whose cost by cost line differs from the base")
    horizon = max(p.date for (_, m, c), points in folder.comparison.items() if m == METRIC for p in points)
    # The headline: the single largest driver among the options.
    option, (line, value) = max(((o, lines[0]) for o, lines in by_option.items()), key=lambda x: abs(x[1][1]))
    verb = "saves" if value < 0 else "adds"
    title = (f"'{option}' {verb} most on {cc.category_label(line).lower()}: about {cc.about(abs(value), 'pounds')} "
             f"(mean) to {cc.long_date(horizon)}")
    panels = [(o, drawn_lines(lines)) for o, lines in by_option.items()]
    names_width = 0.3 + 0.065 * max(len(label) for _, lines in panels for label, _ in lines)
    heights = [max(len(lines), 1) for _, lines in panels]
    figure, axes = cc.new_figure(
        title, "Each option's net cost against the base by cost line, from the forecast start to the horizon: "
               "the mean over paired runs. Left of the line: a saving; right: an extra cost.",
        rows=len(panels), columns=1, height=1.9 + sum(0.28 * h + 0.7 for h in heights), left=names_width,
        hspace=0.55, height_ratios=heights)
    # One scale for every option, so that bar lengths compare across options too.
    span = max(abs(v) for _, lines in panels for _, v in lines)
    for (option, lines), [ax] in zip(panels, axes):
        positions = list(range(len(lines) - 1, -1, -1))
        values = [v for _, v in lines]
        ax.barh(positions, values, color=[SAVING if v < 0 else EXTRA_COST for v in values], height=0.6)
        for y, v in zip(positions, values):
            ax.annotate(cc.exact(v, "pounds"), (v, y), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=7, color=cc.MUTED)
        ax.set_yticks(positions, [label for label, _ in lines], fontsize=8)
        ax.axvline(0, color=cc.RECORDED, linewidth=0.9)
        total = sum(v for _, v in lines)
        ax.set_title(f"'{option}': mean net cost {cc.exact(total, 'pounds')}", fontsize=8.5)
        cc.value_axis(ax, "pounds", axis="x")
        # Room for the labels beside the bars; whole pounds at least, so the ticks never repeat.
        ax.set_xlim(-max(span * 1.45, 1.0), max(span * 1.45, 1.0))
        ax.grid(axis="x", alpha=0.25)
    chart_note = ("Means over paired runs of option minus base, summed over every financial year from the forecast "
                  "start to the horizon (part years included), so each option's bars add up to the mean of its net "
                  "cost to the horizon; the option table gives the median and 90% interval of that net cost.")
    cc.footnote(figure, folder, chart_note, note)
    return cc.Chart("option_cost_drivers", figure, title, chart_note)


CHARTS = [option_cost_drivers]

if __name__ == "__main__":
    cc.run_standalone(CHARTS, __doc__.splitlines()[0])
