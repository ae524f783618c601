#!/usr/bin/env python3
"""Out-of-sample check of `carecast fit --pool-councils` on worlds carecast was not built from.

A region of councils is drawn with the independent world generator (world_generator.py, whose
mechanics are unlike carecast's): many small councils and a few of ordinary size, each with its own
drawn rates (exit and move speeds, routes, entry trends, year-to-year drift), so the councils
differ as real ones do, about a common centre. Each council publishes figures for five collection
years (children looked after at each 31 March, all, fostered and residential; short-term
stability; entries and exits, all, by return home and by adoption or special guardianship). Every
council is fitted alone and all of them together, each from the shipped default's base scaled to
the council's size by `fit --pool-councils` (alone: `--pool-below 0`, so that no council is fitted
again). Each fitted
scenario is run, and its forecast of children looked after at the next three 31 Marches is
scored against the world's truth: 50% and 90% interval coverage and the squared log error of the
median, for small and for ordinary councils, alone and pooled, with the paired difference over
the small councils and its standard error.

Only the Python standard library is used. Usage:
    tests/validation/pooled_fit_validation.py --carecast build/carecast --out DIR [--small 24] [--large 4]
"""

import argparse
import concurrent.futures
import csv
import math
import statistics
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world_generator  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BASE = os.path.join(ROOT, "scenarios", "default-base.toml")
FIRST_YEAR = 2018  # the default base's child population starts in 2017
YEARS = 8          # collection years 2018-19 to 2025-26
ORIGIN_YEAR = 2023  # fitted to 31 March 2023; 2024, 2025 and 2026 held out
FOSTERED = "foster_in_house+foster_agency+foster_kinship"
RESIDENTIAL = "childrens_home_in_house+childrens_home_external+residential_other"
FOSTERED_PARTS = FOSTERED.split("+")
RESIDENTIAL_PARTS = RESIDENTIAL.split("+")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def figures_rows(world_dir):
    """The council's published figures up to the origin, as `fit` reads them."""
    truth = {(r["metric"], r["category"], r["date"]): float(r["value"]) for r in read_csv(os.path.join(world_dir, "truth.csv"))}
    rows = []
    for year in range(FIRST_YEAR, ORIGIN_YEAR + 1):
        day = "%d-03-31" % year
        rows.append(("children_looked_after", "all", "", day, truth[("children_looked_after", "all", day)]))
        rows.append(("children_looked_after", FOSTERED, "", day,
                     sum(truth[("children_looked_after", c, day)] for c in FOSTERED_PARTS)))
        rows.append(("children_looked_after", RESIDENTIAL, "", day,
                     sum(truth[("children_looked_after", c, day)] for c in RESIDENTIAL_PARTS)))
        if year > FIRST_YEAR:
            rows.append(("stability_short_term", "all", "", day, round(truth[("stability_short_term", "all", day)])))
    flows = {}
    for r in read_csv(os.path.join(world_dir, "truth-flows.csv")):
        if int(r["date"][:4]) <= ORIGIN_YEAR:
            flows[(r["metric"], r["reason"], r["period_start"], r["date"])] = float(r["value"])
    for year in range(FIRST_YEAR, ORIGIN_YEAR):
        start, end = "%d-04-01" % year, "%d-03-31" % (year + 1)
        get = lambda metric, reason: flows.get((metric, reason, start, end), 0.0)  # noqa: E731
        rows.append(("entries", "all", start, end, get("entries", "all")))
        rows.append(("exits", "all", start, end, get("exits", "all")))
        rows.append(("exits", "returned_home", start, end, get("exits", "E4A")))
        rows.append(("exits", "adoption+special_guardianship", start, end, get("exits", "E11") + get("exits", "E45")))
    return rows


def write_figures(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "category", "period_start", "date", "value"])
        for metric, category, start, date, value in rows:
            w.writerow([metric, category, start, date, "%g" % value])


def run(cmd, log):
    with open(log, "a") as f:
        f.write(" ".join(cmd) + "\n")
        f.flush()
        result = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise SystemExit("failed (see %s): %s" % (log, " ".join(cmd)))


# What is scored: children looked after (squared log error of the median) and the short-term stability measure, the
# percentage with 3 or more placements in the year, which the pooled rates of moves drive (squared error of the
# median in percentage points).
MEASURES = (("children_looked_after", "squared log error"), ("stability_short_term", "squared error, points"))


def forecast_quantiles(forecast_csv, metric, day):
    for r in read_csv(forecast_csv):
        if r["metric"] == metric and r["category"] == "all" and r["date"] == day:
            return {q: float(r[q]) for q in ("p05", "p25", "p50", "p75", "p95")}
    raise SystemExit("no %s at %s in %s" % (metric, day, forecast_csv))


def error(metric, median, truth):
    if metric == "children_looked_after":
        return math.log((median + 1) / (truth + 1)) ** 2
    return (median - truth) ** 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--carecast", default=os.path.join(ROOT, "build", "carecast"))
    ap.add_argument("--small", type=int, default=24, help="small councils (default 24)")
    ap.add_argument("--large", type=int, default=4, help="councils of ordinary size (default 4)")
    ap.add_argument("--small-size", type=float, default=0.1, help="a small council's entries over an ordinary one's")
    ap.add_argument("--pool-below", type=float, default=None,
                    help="passed to fit --pool-councils (default: carecast's; 1e6 pools every council)")
    ap.add_argument("--no-move-variation", action="store_true",
                    help="a diagnostic: worlds whose move speed does not vary from year to year (world_generator.py)")
    ap.add_argument("--fit-runs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1, help="seed of the first world")
    ap.add_argument("--work", help="folder for the worlds, fits and runs (default: a temporary folder)")
    ap.add_argument("--out", required=True, help="folder for cases.csv and tables.txt")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if pooling made the small councils' forecasts worse beyond the false-alarm rate (for "
                         "make test)")
    ap.add_argument("--false-alarm", type=float, default=1e-4, help="with --check, shared by its 6 checks")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="carecast-pooled-validation-")
    os.makedirs(args.out, exist_ok=True)
    log = os.path.join(work, "log.txt")
    names, small, figures = [], {}, []
    for j in range(args.small + args.large):
        name = "c%03d" % j
        is_small = j < args.small
        world_dir = os.path.join(work, "worlds", name)
        world_generator.generate(args.seed + j, world_dir, FIRST_YEAR, YEARS, args.small_size if is_small else 1.0,
                                 not args.no_move_variation)
        rows = figures_rows(world_dir)
        figures_path = os.path.join(work, "figures", name + ".csv")
        os.makedirs(os.path.dirname(figures_path), exist_ok=True)
        write_figures(figures_path, rows)
        names.append(name)
        small[name] = is_small
        figures.append(figures_path)

    # Alone: every council fitted from the shared base scaled to it, none fitted again (--pool-below 0); pooled: the
    # same, with the councils below --pool-below fitted again with the region's priors.
    fit = [args.carecast, "fit", "--pool-councils"] + figures + ["--base", BASE, "--runs", str(args.fit_runs), "--seed",
                                                                  "1", "--quiet"]
    run(fit + ["--pool-below", "0", "--out", os.path.join(work, "alone")], log)
    pooled_cmd = list(fit)
    if args.pool_below is not None:
        pooled_cmd += ["--pool-below", "%g" % args.pool_below]
    run(pooled_cmd + ["--out", os.path.join(work, "pooled")], log)
    with open(os.path.join(work, "pooled", "pooling.csv")) as f:
        pooling = f.read()

    def forecast(kind, name):
        scenario = os.path.join(work, kind, name + ".toml")
        out = os.path.join(work, "runs", kind, name)
        run([args.carecast, "run", scenario, "--runs", str(args.runs), "--seed", "1", "--threads", "1", "--quiet",
             "--out", out, "--replace"], log)
        return os.path.join(out, "forecast.csv")

    jobs = [(kind, name) for name in names for kind in ("alone", "pooled")]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        forecasts = dict(zip(jobs, pool.map(lambda job: forecast(*job), jobs)))

    cases = []
    for name in names:
        truth = {(r["metric"], r["category"], r["date"]): float(r["value"])
                 for r in read_csv(os.path.join(work, "worlds", name, "truth.csv"))}
        for metric, _ in MEASURES:
            for ahead in (1, 2, 3):
                day = "%d-03-31" % (ORIGIN_YEAR + ahead)
                y = truth[(metric, "all", day)]
                for kind in ("alone", "pooled"):
                    q = forecast_quantiles(forecasts[(kind, name)], metric, day)
                    cases.append({"council": name, "small": small[name], "kind": kind, "metric": metric,
                                  "years_ahead": ahead, "truth": y, "p05": q["p05"], "p25": q["p25"], "p50": q["p50"],
                                  "p75": q["p75"], "p95": q["p95"], "in50": q["p25"] <= y <= q["p75"],
                                  "in90": q["p05"] <= y <= q["p95"], "error": error(metric, q["p50"], y)})
    with open(os.path.join(args.out, "cases.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(cases[0].keys()))
        w.writeheader()
        w.writerows(cases)

    lines = ["Pooled fits on %d small councils (entries x%g) and %d of ordinary size, worlds %d-%d; fitted to 31 March %d,"
             % (args.small, args.small_size, args.large, args.seed, args.seed + len(names) - 1, ORIGIN_YEAR),
             "scored at the next three 31 Marches. %d fit runs a round, %d forecast runs;" % (args.fit_runs, args.runs),
             "--pool-below %s." % ("%g" % args.pool_below if args.pool_below is not None else "carecast's default")]
    checks = []
    for metric, error_name in MEASURES:
        lines += ["", metric + ":", "%-8s %-7s %5s %10s %10s %22s" % ("councils", "fit", "ahead", "90% cover", "50% cover",
                                                                      error_name)]
        for group, label in ((True, "small"), (False, "ordinary")):
            for kind in ("alone", "pooled"):
                for ahead in (1, 2, 3):
                    sel = [c for c in cases if c["metric"] == metric and c["small"] == group and c["kind"] == kind
                           and c["years_ahead"] == ahead]
                    lines.append("%-8s %-7s %5d %9.0f%% %9.0f%% %22.4f" % (
                        label, kind, ahead, 100 * sum(c["in90"] for c in sel) / len(sel),
                        100 * sum(c["in50"] for c in sel) / len(sel), sum(c["error"] for c in sel) / len(sel)))
        for ahead in (1, 2, 3):
            diffs = []
            for name in names:
                if not small[name]:
                    continue
                by_kind = {c["kind"]: c["error"] for c in cases
                           if c["council"] == name and c["metric"] == metric and c["years_ahead"] == ahead}
                diffs.append(by_kind["alone"] - by_kind["pooled"])
            n = len(diffs)
            mean = sum(diffs) / n
            se = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1) / n) if n > 1 else float("nan")
            lines.append("small councils, %d year(s) ahead: error alone minus pooled %.4f (se %.4f)" % (ahead, mean, se))
            checks.append((metric, ahead, mean, se))
    lines += ["", "pooling.csv:", pooling]
    text = "\n".join(lines)
    with open(os.path.join(args.out, "tables.txt"), "w") as f:
        f.write(text + "\n")
    print(text)
    if args.check:
        # One-sided: pooling must not make a measure's error worse by more than z standard errors, z at the
        # false-alarm rate shared (Bonferroni) by the checks.
        z = statistics.NormalDist().inv_cdf(1 - args.false_alarm / len(checks))
        worse = [c for c in checks if c[2] < -z * c[3]]
        for metric, ahead, mean, se in worse:
            print("FAIL: pooling made the small councils' %s %d year(s) ahead worse: %.4f (se %.4f), beyond %.2f se"
                  % (metric, ahead, mean, se, z))
        print("Pooling checks: %d of %d passed (z = %.2f)" % (len(checks) - len(worse), len(checks), z))
        if worse:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
