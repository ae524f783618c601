#!/usr/bin/env python3
"""Rolling-origin backtests of carecast on independently generated worlds (issue 10).

For each world (world_generator.py, seeds --seed .. --seed + worlds - 1) and each origin (a 31 March
with 3 years of truth after it), copies the returns up to the origin's collection year into a
folder, runs `carecast calibrate --as-of <origin>` and `carecast run --years 3`, and compares the
forecast at 1, 2 and 3 years with the world's truth. Prints interval coverage, CRPS and median
absolute percentage error beside persistence and a linear-trend baseline; --out also writes them
as CSV. Standard library only.
"""

import argparse
import concurrent.futures
import csv
import datetime as dt
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
import world_generator  # noqa: E402

CATEGORIES = world_generator.CATEGORIES
HORIZONS = (1, 2, 3)
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# CRPS = 2 * integral over tau in (0, 1) of the quantile (pinball) score of the tau-quantile. With
# only five quantiles, each stands for the tau-interval around it: (0, 0.15), (0.15, 0.375),
# (0.375, 0.625), (0.625, 0.85), (0.85, 1). The weights sum to 1 and their mean tau is 0.5, so a
# point forecast scores exactly its absolute error, the CRPS of a point forecast.
QUANTILE_WEIGHTS = (0.15, 0.225, 0.25, 0.225, 0.15)
TREND_POINTS = 5  # 31 Marches (the origin and up to 4 before it) behind the linear-trend baseline
TREND_MIN_POINTS = 3


# world_generator.py writes percentages rounded to 4 decimals.
TRUTH_ROUNDING = 0.5e-4

def crps_from_quantiles(quantiles, y):
    total = 0.0
    for tau, w, q in zip(QUANTILES, QUANTILE_WEIGHTS, quantiles):
        total += w * ((1.0 if y < q else 0.0) - tau) * (q - y)
    return 2.0 * total


def read_truth(path):
    truth = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            truth[(r["metric"], r["category"], r["date"])] = float(r["value"])
    return truth


def read_forecast(path):
    forecast = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["metric"] in ("children_looked_after", "stability_short_term", "stability_long_term"):
                forecast[(r["metric"], r["category"], r["date"])] = [float(r[k]) for k in
                                                                      ("p05", "p25", "p50", "p75", "p95")]
    return forecast


def linear_trend(values, ahead):
    """Least squares line through the values at x = 0, 1, ..., n-1, evaluated at n - 1 + ahead."""
    n = len(values)
    xm = (n - 1) / 2.0
    ym = sum(values) / n
    sxx = sum((x - xm) ** 2 for x in range(n))
    slope = sum((x - xm) * (v - ym) for x, v in enumerate(values)) / sxx
    return ym + slope * (n - 1 + ahead - xm)


def series():
    return [("children_looked_after", c) for c in ["all"] + CATEGORIES] + \
        [("stability_short_term", "all"), ("stability_long_term", "all")]


def run_checked(cmd, log):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n" + p.stdout + "\n[exit %d]\n" % p.returncode)
    return p.returncode, p.stdout


def backtest_world(args, index):
    """Generates one world and backtests it at each origin; returns (cases, failures, seconds)."""
    seed = args.seed + index
    started = time.time()
    work = os.path.join(args.work, "world-%03d" % seed)
    shutil.rmtree(work, ignore_errors=True)
    returns = os.path.join(work, "returns")
    world = world_generator.generate(seed, returns)
    truth = read_truth(os.path.join(returns, "truth.csv"))
    cases, failures = [], []
    problems = world_generator.check_returns(returns)
    if problems:  # the generator's own fault: its returns do not say what its truth says
        failures.append((seed, "-", "world_generator check", 1, problems[:1]))
    last_year = world.first_year + world.n_years - 1
    for k in range(args.origins):
        origin_year = last_year - 3 - k  # collection year ending at the origin, 3 years of truth after
        if origin_year - world.first_year + 1 < 3:
            break
        origin = dt.date(origin_year + 1, 3, 31)
        case_dir = os.path.join(work, "origin-%s" % origin.isoformat())
        data = os.path.join(case_dir, "data")
        os.makedirs(data)
        for y in range(world.first_year, origin_year + 1):
            for part in ("header", "episodes", "uasc"):
                shutil.copy(os.path.join(returns, "%d-%s.csv" % (y, part)), data)
        log = os.path.join(case_dir, "carecast.log")
        toml = os.path.join(case_dir, "calibrated.toml")
        rc, out = run_checked([args.carecast, "calibrate", data, "--as-of", origin.isoformat(), "--out", toml]
                              + args.calibrate_option, log)
        if rc != 0:
            failures.append((seed, origin.isoformat(), "calibrate", rc, out.strip().splitlines()[-1:] or [""]))
            continue
        run_dir = os.path.join(case_dir, "run")
        rc, out = run_checked([args.carecast, "run", toml, "--runs", str(args.runs), "--years", "3", "--threads",
                               str(args.threads), "--seed", "1", "--out", run_dir] + args.run_option, log)
        if rc != 0:
            failures.append((seed, origin.isoformat(), "run", rc, out.strip().splitlines()[-1:] or [""]))
            continue
        forecast = read_forecast(os.path.join(run_dir, "forecast.csv"))
        for metric, category in series():
            history = []
            for back in range(TREND_POINTS - 1, -1, -1):
                key = (metric, category, dt.date(origin.year - back, 3, 31).isoformat())
                if key in truth:
                    history.append(truth[key])
            at_origin = truth.get((metric, category, origin.isoformat()), 0.0)
            for h in (0,) + HORIZONS:
                date = dt.date(origin.year + h, 3, 31).isoformat()
                if (metric, category, date) not in truth:
                    continue
                y = truth[(metric, category, date)]
                # A category the calibrated scenario does not hold is forecast as none.
                q = forecast.get((metric, category, date), [0.0] * 5)
                trend = linear_trend(history, h) if len(history) >= TREND_MIN_POINTS else at_origin
                trend = max(0.0, trend if metric == "children_looked_after" else min(100.0, trend))
                cases.append({
                    "seed": seed, "origin": origin.isoformat(), "horizon": h, "metric": metric,
                    "category": category, "truth": y, "p05": q[0], "p25": q[1], "p50": q[2], "p75": q[3],
                    "p95": q[4], "in_forecast": (metric, category, date) in forecast,
                    "persistence": at_origin, "trend": trend,
                })
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return cases, failures, time.time() - started


def mdape(errors_and_truths):
    values = [100.0 * abs(e) / t for e, t in errors_and_truths if t > 0]
    return statistics.median(values) if values else float("nan")


def label(metric, category):
    if metric == "children_looked_after":
        return "CLA " + category
    return metric


def summarise(cases):
    """Coverage rows and score rows, by series (and categories pooled) and horizon."""
    groups = {}
    for c in cases:
        groups.setdefault((c["metric"], c["category"], c["horizon"]), []).append(c)
        if c["metric"] == "children_looked_after" and c["category"] != "all":
            groups.setdefault((c["metric"], "categories_pooled", c["horizon"]), []).append(c)
    coverage, scores = [], []
    cases = [c for c in cases if c["horizon"] > 0]
    order = series()
    order.insert(1, ("children_looked_after", "categories_pooled"))
    for metric, category in order:
        for h in HORIZONS:
            g = groups.get((metric, category, h))
            if not g:
                continue
            n = len(g)
            in50 = sum(1 for c in g if c["p25"] <= c["truth"] <= c["p75"])
            in90 = sum(1 for c in g if c["p05"] <= c["truth"] <= c["p95"])
            below = sum(1 for c in g if c["truth"] < c["p05"])
            above = sum(1 for c in g if c["truth"] > c["p95"])
            coverage.append({"metric": metric, "category": category, "horizon": h, "cases": n,
                             "coverage_50": in50 / n, "coverage_90": in90 / n,
                             "below_p05": below / n, "above_p95": above / n})
            crps_model = statistics.fmean(crps_from_quantiles([c["p05"], c["p25"], c["p50"], c["p75"], c["p95"]],
                                                              c["truth"]) for c in g)
            crps_persist = statistics.fmean(abs(c["persistence"] - c["truth"]) for c in g)
            crps_trend = statistics.fmean(abs(c["trend"] - c["truth"]) for c in g)
            scores.append({
                "metric": metric, "category": category, "horizon": h, "cases": n,
                "crps_model": crps_model, "crps_persistence": crps_persist, "crps_trend": crps_trend,
                "crps_ratio_persistence": crps_model / crps_persist if crps_persist > 0 else float("nan"),
                "crps_ratio_trend": crps_model / crps_trend if crps_trend > 0 else float("nan"),
                "mdape_model": mdape([(c["p50"] - c["truth"], c["truth"]) for c in g]),
                "mdape_persistence": mdape([(c["persistence"] - c["truth"], c["truth"]) for c in g]),
                "mdape_trend": mdape([(c["trend"] - c["truth"], c["truth"]) for c in g]),
                "mean_bias_median": statistics.fmean(c["p50"] - c["truth"] for c in g),
            })
    return coverage, scores


def summarise_origin(cases):
    """At the origin itself the forecast should start from the truth: the stock is the data's, but
    the stability indicators depend on what the starting population carries (issue 10, item 4)."""
    rows = []
    for metric, category in series():
        g = [c for c in cases if c["horizon"] == 0 and c["metric"] == metric and c["category"] == category]
        if not g:
            continue
        rows.append({"metric": metric, "category": category, "cases": len(g),
                     "mean_truth": statistics.fmean(c["truth"] for c in g),
                     "mean_forecast_median": statistics.fmean(c["p50"] for c in g),
                     "mean_difference": statistics.fmean(c["p50"] - c["truth"] for c in g),
                     # The truth's percentages are written to 4 decimals: within that rounding is inside.
                     "coverage_90": sum(1 for c in g if c["p05"] - TRUTH_ROUNDING <= c["truth"]
                                        <= c["p95"] + TRUTH_ROUNDING) / len(g)})
    return rows


def print_tables(coverage, scores, origin_rows=(), out=sys.stdout):
    w = out.write
    if origin_rows:
        w("\nAt the origin (31 March of the last return used): truth, carecast's median, their mean\n"
          "difference and how often the origin's 90% interval holds the truth\n")
        w("%-40s %5s %8s %8s %8s %6s\n" % ("series", "cases", "truth", "median", "diff", "90%"))
        for r in origin_rows:
            w("%-40s %5d %8.2f %8.2f %8.2f %5.0f%%\n" % (
                label(r["metric"], r["category"]), r["cases"], r["mean_truth"], r["mean_forecast_median"],
                r["mean_difference"], 100 * r["coverage_90"]))
    w("\nCoverage of the forecast intervals (share of cases whose truth lies in p25-p75 and p05-p95;\n"
      "below/above: truth under p05 / over p95; targets 40-60% and 85-95%)\n")
    w("%-40s %2s %5s %6s %6s %6s %6s\n" % ("series", "h", "cases", "50%", "90%", "<p05", ">p95"))
    for r in coverage:
        w("%-40s %2d %5d %5.0f%% %5.0f%% %5.0f%% %5.0f%%\n" % (
            label(r["metric"], r["category"]), r["horizon"], r["cases"], 100 * r["coverage_50"],
            100 * r["coverage_90"], 100 * r["below_p05"], 100 * r["above_p95"]))
    w("\nMean CRPS (children, or percentage points for stability; carecast from its 5 quantiles, the\n"
      "baselines as points = absolute error), carecast / baseline ratios, median absolute % error of\n"
      "carecast's median and of the baselines, and carecast's mean bias (median - truth)\n")
    w("%-40s %2s %8s %8s %8s %6s %6s %7s %7s %7s %8s\n" % (
        "series", "h", "CRPS", "persist", "trend", "/pers", "/trend", "MdAPE", "persist", "trend", "bias"))
    for r in scores:
        w("%-40s %2d %8.2f %8.2f %8.2f %6.2f %6.2f %6.1f%% %6.1f%% %6.1f%% %8.2f\n" % (
            label(r["metric"], r["category"]), r["horizon"], r["crps_model"], r["crps_persistence"],
            r["crps_trend"], r["crps_ratio_persistence"], r["crps_ratio_trend"], r["mdape_model"],
            r["mdape_persistence"], r["mdape_trend"], r["mean_bias_median"]))


def binomial_limits(n, p, alpha):
    """The smallest and largest counts of hits in n cases whose two tails each have probability at
    least alpha / 2 under Binomial(n, p): outside them, coverage is off beyond chance."""
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    lo, tail = 0, 0.0
    while lo < n and tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while hi > 0 and tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


def check_coverage(coverage, false_alarm, out=sys.stdout):
    """Coverage of the total and the stability indicators at each horizon against binomial limits
    (one case per world and origin; the false-alarm rate is shared among the checks). A check whose
    limits are 0 and all cases cannot fail with so few cases: it is listed but not counted, and a
    run in which no check can fail fails, since it would assert nothing. Returns the failures."""
    rows = [r for r in coverage if r["category"] == "all"]
    alpha = false_alarm / max(1, 2 * len(rows))
    failed = 0
    able_to_fail = 0
    out.write("\nCoverage checks (binomial limits, false-alarm rate %g over %d checks)\n" % (false_alarm, 2 * len(rows)))
    for r in rows:
        for name, nominal in (("coverage_50", 0.5), ("coverage_90", 0.9)):
            hits = int(round(r[name] * r["cases"]))
            lo, hi = binomial_limits(r["cases"], nominal, alpha)
            if lo == 0 and hi == r["cases"]:
                verdict = "cannot fail with %d cases" % r["cases"]
            else:
                able_to_fail += 1
                ok = lo <= hits <= hi
                failed += not ok
                verdict = "ok" if ok else "FAIL"
            out.write("%-30s h=%d %s %3d of %3d (limits %d-%d) %s\n" % (
                label(r["metric"], r["category"]), r["horizon"], name, hits, r["cases"], lo, hi, verdict))
    if able_to_fail == 0:
        out.write("No check could fail with so few cases: add worlds or origins.\n")
        return 1
    return failed


def write_csv(path, rows):
    if not rows:
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    default_carecast = os.environ.get("CARECAST", os.path.join(HERE, "..", "..", "build", "carecast"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worlds", type=int, default=40)
    ap.add_argument("--origins", type=int, default=3, help="31 Marches per world, a year apart (default 3)")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2, help="threads for each carecast run")
    ap.add_argument("--jobs", type=int, default=1, help="worlds backtested in parallel")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first world")
    ap.add_argument("--quick", action="store_true", help="4 worlds, 1 origin each (for tests)")
    ap.add_argument("--out", help="folder for cases.csv, coverage.csv, scores.csv, failures.csv and tables.txt")
    ap.add_argument("--calibrate-option", action="append", default=[], metavar="ARG",
                    help="an extra argument for every calibrate, repeatable (e.g. --calibrate-option=--trend "
                         "--calibrate-option=on)")
    ap.add_argument("--run-option", action="append", default=[], metavar="ARG",
                    help="an extra argument for every run, repeatable")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the total's or a stability indicator's coverage is outside binomial limits")
    ap.add_argument("--false-alarm", type=float, default=1e-4,
                    help="false-alarm rate of all --check tests together (default 1e-4)")
    ap.add_argument("--carecast", default=default_carecast, help="the carecast binary (default: build/carecast, "
                                                                  "or $CARECAST)")
    ap.add_argument("--work", help="folder for the worlds and runs (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep each world's returns and runs in --work")
    args = ap.parse_args()
    if args.quick:
        args.worlds, args.origins = 4, 1
    args.carecast = os.path.abspath(args.carecast)
    if not os.access(args.carecast, os.X_OK):
        sys.exit("validate: no carecast binary at %s (build it, or pass --carecast)" % args.carecast)
    temporary = args.work is None
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="carecast-validate-"))
    started = time.time()
    cases, failures = [], []
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(backtest_world, args, i) for i in range(args.worlds)]
        for i, fut in enumerate(futures):
            c, f, seconds = fut.result()
            cases.extend(c)
            failures.extend(f)
            print("world %d/%d (seed %d): %d cases, %d failures, %.0f s" % (
                i + 1, args.worlds, args.seed + i, len(c), len(f), seconds), file=sys.stderr, flush=True)
    if temporary and not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    origins = len({(c["seed"], c["origin"]) for c in cases})
    print("Backtests: %d worlds, %d origins run, %d failed, %d runs each, %.0f s" % (
        args.worlds, origins, len(failures), args.runs, time.time() - started))
    if args.calibrate_option or args.run_option:
        print("Extra arguments: calibrate %s; run %s" % (" ".join(args.calibrate_option) or "none",
                                                         " ".join(args.run_option) or "none"))
    for seed, origin, verb, rc, last in failures:
        print("  FAILED world seed %d origin %s: carecast %s exit %d: %s" % (seed, origin, verb, rc, last[0]))
    coverage, scores = summarise(cases)
    origin_rows = summarise_origin(cases)
    print_tables(coverage, scores, origin_rows)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        write_csv(os.path.join(args.out, "cases.csv"), cases)
        write_csv(os.path.join(args.out, "coverage.csv"), coverage)
        write_csv(os.path.join(args.out, "scores.csv"), scores)
        write_csv(os.path.join(args.out, "origin.csv"), origin_rows)
        write_csv(os.path.join(args.out, "failures.csv"), [
            {"seed": s, "origin": o, "verb": v, "exit": rc, "last_line": l[0]} for s, o, v, rc, l in failures])
        with open(os.path.join(args.out, "tables.txt"), "w") as f:
            print_tables(coverage, scores, origin_rows, f)
    if args.check and check_coverage(coverage, args.false_alarm):
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
