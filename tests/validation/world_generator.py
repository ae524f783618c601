#!/usr/bin/env python3
"""An independent world generator for validating carecast's forecasts (issue 10).

It writes SSDA903 returns (<year>-header.csv, <year>-episodes.csv, <year>-uasc.csv for each
collection year 1 April <year> - 31 March <year+1>) and truth.csv, the children looked after at
each month end and 31 March by carecast category, counted by DfE rules (short breaks excluded),
with the DfE stability indicators at each 31 March.

Its mechanics are deliberately unlike carecast's engine (see README.md beside this file):
- a child's period of care has a route (home, adoption, special guardianship, child arrangements
  order, other, or until 18) chosen at entry, and a time to leave drawn from a log-normal in
  "operational time": the exit clock runs faster or slower with a system-wide multiplier by
  collection year (log-scale AR(1) drift, times a regime shift at a random year);
- placements break down by a Weibull (foster, kinship) or log-normal (homes, supported) renewal
  process, also on a drifting multiplier clock; the last placement before adoption, a return
  home or a special guardianship order is scheduled backwards from the exit;
- entries have a log-linear trend and a log-scale AR(1) year multiplier, and arrive in sibling
  groups sharing the start date and home postcode;
- in-house foster carers are a finite pool (capacity drifting by year): a child who needs a
  foster carer goes to an agency carer when in-house is full;
- some children who went home come back (a new period, RNE S, same CHILD); legal status changes
  (RNE L), same-carer changes (RNE T/U) and short breaks (LS V3/V4, excluded by DfE) are written.

Only the Python standard library is used.
"""

import argparse
import bisect
import csv
import datetime as dt
import heapq
import math
import os
import random

CATEGORIES = [
    "foster_in_house", "foster_agency", "foster_kinship", "placed_for_adoption",
    "placed_with_parents", "childrens_home_in_house", "childrens_home_external",
    "residential_other", "parent_and_child", "supported_accommodation", "other",
]

ROUTES = ["home", "adoption", "sgo", "cao", "other", "to18"]
EXIT_CODE = {"home": "E4A", "adoption": "E11", "sgo": "E45", "cao": "E41", "other": "E8"}

DAYS_PER_YEAR = 365.25


def add_years(d, years):
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d, months):
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(d.day, last))


def fmt(ordinal):
    return dt.date.fromordinal(ordinal).strftime("%d/%m/%Y") if ordinal is not None else ""


def age_band(age_years):
    if age_years < 1:
        return 0
    if age_years < 5:
        return 1
    if age_years < 10:
        return 2
    if age_years < 16:
        return 3
    return 4


class YearClock:
    """A multiplier per collection year; converts an amount of operational time (days at
    multiplier 1) starting at a calendar day into the calendar day it runs out."""

    def __init__(self, first_year, multipliers):
        self.first_year = first_year
        self.mult = multipliers
        self.bounds = [dt.date(first_year + i, 4, 1).toordinal() for i in range(len(multipliers) + 1)]

    def multiplier_at(self, t):
        i = bisect.bisect_right(self.bounds, t) - 1
        return self.mult[min(max(i, 0), len(self.mult) - 1)]

    def advance(self, t, op_days):
        remaining = op_days
        cur = t
        while True:
            i = bisect.bisect_right(self.bounds, cur) - 1
            m = self.mult[min(max(i, 0), len(self.mult) - 1)]
            if i < 0:
                seg_end = self.bounds[0]
            elif i >= len(self.mult) - 1:
                seg_end = None
            else:
                seg_end = self.bounds[i + 1]
            if seg_end is None or cur + remaining / m <= seg_end:
                return cur + remaining / m
            remaining -= (seg_end - cur) * m
            cur = seg_end


def ar1_path(rng, n, sd, phi):
    """Log-scale AR(1) with stationary standard deviation sd."""
    x = rng.gauss(0, sd)
    out = []
    innov = sd * math.sqrt(1 - phi * phi)
    for _ in range(n):
        out.append(math.exp(x))
        x = phi * x + rng.gauss(0, innov)
    return out


class World:
    def __init__(self, seed, first_year=None, n_years=None, size=1.0, move_variation=True):
        self.rng = rng = random.Random(seed)
        self.size = size
        self.seed = seed
        self.first_year = first_year or rng.randint(2010, 2013)
        self.n_years = n_years or rng.randint(10, 12)
        self.burn_in_years = 19
        self.sim_first_year = self.first_year - self.burn_in_years
        total_years = self.burn_in_years + self.n_years + 1
        self.start_ord = dt.date(self.sim_first_year, 4, 1).toordinal()
        self.end_ord = dt.date(self.first_year + self.n_years, 3, 31).toordinal()
        # The collection year index in the middle of the returns, where the base rate holds.
        ref = self.burn_in_years + self.n_years // 2
        p = self.params = {}
        p["entries_base"] = rng.uniform(130, 200)
        p["entries_trend"] = rng.gauss(0.02, 0.035)
        p["entries_sd"] = rng.uniform(0.04, 0.14)
        p["entries_phi"] = rng.uniform(0.3, 0.85)
        p["uasc_base"] = rng.uniform(4, 28)
        p["exit_sd"] = rng.uniform(0.05, 0.2)
        p["exit_phi"] = rng.uniform(0.3, 0.85)
        p["move_sd"] = rng.uniform(0.05, 0.2)
        p["move_phi"] = rng.uniform(0.3, 0.85)
        p["regime_year"] = self.first_year + rng.randint(1, self.n_years - 2)
        p["regime_factor"] = math.exp(rng.gauss(0, 0.2))
        p["exit_speed"] = math.exp(rng.gauss(0, 0.15))
        p["move_speed"] = math.exp(rng.gauss(0, 0.2))
        p["reentry_probability"] = rng.uniform(0.08, 0.25)
        p["in_house_share"] = rng.uniform(0.3, 0.6)
        p["capacity_drift_sd"] = rng.uniform(0.02, 0.08)
        p["sibling_share"] = rng.uniform(0.25, 0.45)
        p["short_break_children"] = rng.randint(6, 20)
        # A smaller or larger council (pooled fits): its entries, UASC and short breaks scaled; the rest (and
        # every draw, so that size 1 is the world it always was) unchanged.
        if size != 1.0:
            p["entries_base"] *= size
            p["uasc_base"] *= size
            p["short_break_children"] = max(1, int(round(p["short_break_children"] * size)))
        # Age at entry: shares of under 1, 1-4, 5-9, 10-15, 16-17, perturbed per world.
        base_age = [0.19, 0.15, 0.17, 0.35, 0.14]
        w = [b * math.exp(rng.gauss(0, 0.2)) for b in base_age]
        p["entry_age_shares"] = [x / sum(w) for x in w]

        years = list(range(total_years))
        trend_years = [min(max(y - ref, -self.n_years), self.n_years) for y in years]
        em = ar1_path(rng, total_years, p["entries_sd"], p["entries_phi"])
        self.entries_per_year = [p["entries_base"] * math.exp(p["entries_trend"] * ty) * m
                                 for ty, m in zip(trend_years, em)]
        xm = ar1_path(rng, total_years, p["exit_sd"], p["exit_phi"])
        regime_index = p["regime_year"] - self.sim_first_year
        exit_mult = [p["exit_speed"] * m * (p["regime_factor"] if y >= regime_index else 1.0)
                     for y, m in zip(years, xm)]
        self.exit_clock = YearClock(self.sim_first_year, exit_mult)
        mm = ar1_path(rng, total_years, p["move_sd"], p["move_phi"])
        # Without year-to-year variation of moves (a diagnostic), the move clock runs at the world's own speed every
        # year; the path is still drawn, so that every later draw, and so the rest of the world, is unchanged.
        if not move_variation:
            mm = [1.0] * len(mm)
        self.move_clock = YearClock(self.sim_first_year, [p["move_speed"] * m for m in mm])
        self.exit_mult, self.move_mult = exit_mult, [p["move_speed"] * m for m in mm]
        # In-house foster places: a fraction of the foster children expected in a steady state
        # (about 0.35 of the stock, the stock about 2.2 years of entries), drifting by year.
        steady_foster = 0.4 * 2.2 * p["entries_base"]
        cap = p["in_house_share"] * steady_foster
        self.capacity = []
        for _ in years:
            self.capacity.append(max(5, int(round(cap))))
            cap *= math.exp(rng.gauss(0, p["capacity_drift_sd"]))
        self.capacity_clock = YearClock(self.sim_first_year, self.capacity)
        self.children = {}
        self.next_id = rng.randint(100000, 200000)
        self.in_house_occupied = 0
        self.events = []
        self.event_seq = 0

    # ---- children and periods -------------------------------------------------------------
    def new_child(self, dob, sex, uasc=False):
        cid = self.next_id
        self.next_id += self.rng.randint(1, 9)
        rng = self.rng
        child = {
            "id": cid, "dob": dob, "sex": sex, "uasc": uasc,
            "ethnic": rng.choice(["WBRI", "WBRI", "WBRI", "WOTH", "BAFR", "BCRB", "MWBC", "AIND",
                                  "APKN", "ABAN", "OOTH", "MOTH"]),
            "upn": rng.choice("ABCDEFGHJKLMNPQRTUVWXYZ") + "".join(rng.choice("0123456789") for _ in range(12)),
            "periods": [], "state": None,
        }
        self.children[cid] = child
        return child

    def push(self, t, kind, cid, version):
        self.event_seq += 1
        heapq.heappush(self.events, (t, self.event_seq, kind, cid, version))

    def draw_route(self, band, reentry=False, uasc=False):
        rng = self.rng
        if uasc:
            weights = {"home": 0.02, "other": 0.13, "to18": 0.85}
        else:
            table = [
                {"home": 0.30, "adoption": 0.32, "sgo": 0.20, "cao": 0.05, "other": 0.03, "to18": 0.10},
                {"home": 0.38, "adoption": 0.20, "sgo": 0.20, "cao": 0.05, "other": 0.03, "to18": 0.14},
                {"home": 0.45, "adoption": 0.02, "sgo": 0.15, "cao": 0.05, "other": 0.05, "to18": 0.28},
                {"home": 0.45, "adoption": 0.0, "sgo": 0.05, "cao": 0.02, "other": 0.10, "to18": 0.38},
                {"home": 0.32, "adoption": 0.0, "sgo": 0.01, "cao": 0.0, "other": 0.12, "to18": 0.55},
            ]
            weights = dict(table[band])
            if reentry:
                weights["adoption"] *= 0.3
                weights["to18"] *= 1.5
        keys = list(weights)
        return rng.choices(keys, [weights[k] for k in keys])[0]

    def draw_exit_op_days(self, route, band):
        """Operational days to the exit, log-normal by route (never exponential)."""
        if route == "to18":
            return None
        median_years = {"home": 0.55, "adoption": 1.9, "sgo": 1.5, "cao": 1.2, "other": 1.3}[route]
        sigma = {"home": 1.1, "adoption": 0.35, "sgo": 0.55, "cao": 0.6, "other": 1.0}[route]
        if route == "home" and band >= 3:
            median_years *= 0.8
        return max(1.0, DAYS_PER_YEAR * median_years * math.exp(self.rng.gauss(0, sigma)))

    def placement_kind_for(self, child, t, route, current=None):
        """The kind of placement a child needs next (before the in-house pool is consulted)."""
        rng = self.rng
        age = (t - child["dob"]) / DAYS_PER_YEAR
        band = age_band(age)
        if child["uasc"]:
            if age >= 16:
                return rng.choices(["supported_accommodation", "foster", "childrens_home_external"],
                                   [0.65, 0.3, 0.05])[0]
            return rng.choices(["foster", "supported_accommodation", "childrens_home_external"],
                               [0.85, 0.1, 0.05])[0]
        if current is None:  # first placement of a period
            weights = [
                {"foster": 0.62, "foster_kinship": 0.16, "parent_and_child": 0.12, "placed_with_parents": 0.06, "other": 0.04},
                {"foster": 0.68, "foster_kinship": 0.20, "placed_with_parents": 0.08, "other": 0.04},
                {"foster": 0.68, "foster_kinship": 0.20, "placed_with_parents": 0.06, "childrens_home": 0.02, "other": 0.04},
                {"foster": 0.62, "foster_kinship": 0.12, "childrens_home": 0.14, "placed_with_parents": 0.04,
                 "residential_other": 0.03, "supported_accommodation": 0.02, "other": 0.03},
                {"foster": 0.35, "supported_accommodation": 0.38, "childrens_home": 0.12, "foster_kinship": 0.06,
                 "residential_other": 0.05, "other": 0.04},
            ][band]
        else:
            weights = [
                {"foster": 0.8, "foster_kinship": 0.15, "other": 0.05},
                {"foster": 0.78, "foster_kinship": 0.17, "other": 0.05},
                {"foster": 0.75, "foster_kinship": 0.13, "childrens_home": 0.08, "other": 0.04},
                {"foster": 0.55, "foster_kinship": 0.07, "childrens_home": 0.26, "residential_other": 0.05,
                 "supported_accommodation": 0.03, "other": 0.04},
                {"foster": 0.25, "supported_accommodation": 0.52, "childrens_home": 0.15, "residential_other": 0.04,
                 "other": 0.04},
            ][band]
        keys = list(weights)
        kind = rng.choices(keys, [weights[k] for k in keys])[0]
        if kind == "childrens_home":
            kind = "childrens_home_in_house" if rng.random() < 0.2 else "childrens_home_external"
        return kind

    def resolve_foster(self, t, n=1):
        """The finite in-house pool: in-house if places are free for all n children, else agency."""
        cap = self.capacity_clock.multiplier_at(t)
        if self.in_house_occupied + n <= cap:
            return "foster_in_house"
        return "foster_agency"

    def start_period(self, child, t, route, exit_op, reentry, kind=None):
        rng = self.rng
        band = age_band((t - child["dob"]) / DAYS_PER_YEAR)
        eighteen = add_years(dt.date.fromordinal(child["dob"]), 18).toordinal()
        exit_t = None
        if exit_op is not None:
            exit_t = int(self.exit_clock.advance(t, exit_op))
            if exit_t <= t:
                exit_t = t + 1
        if exit_t is None or exit_t >= eighteen:
            exit_t, route_end = eighteen, "age18"
        else:
            route_end = route
        period = {
            "start": t, "route": route, "end": None, "end_kind": None, "planned_end": exit_t,
            "planned_kind": route_end, "placements": [], "reentry": reentry,
            "home_post": self.postcode(), "legal": rng.choices(["C1", "V2", "C2"], [0.5, 0.4, 0.1])[0]
            if not child["uasc"] else "V2",
            "legal_change": None, "cin": "N1" if rng.random() < 0.6 else rng.choice(["N2", "N3", "N4", "N5", "N6", "N7", "N8"]),
            "final_phase": None,
        }
        if period["legal"] == "C1":
            period["legal_change"] = t + max(14, int(DAYS_PER_YEAR * 0.45 * math.exp(rng.gauss(0, 0.5))))
        elif period["legal"] == "V2" and not child["uasc"] and rng.random() < 0.3:
            period["legal_change"] = t + max(14, int(DAYS_PER_YEAR * 0.6 * math.exp(rng.gauss(0, 0.6))))
        child["periods"].append(period)
        child["version"] = child.get("version", 0) + 1
        # The final phase (adoptive placement, home on placement with parents, kinship before an
        # SGO) is scheduled backwards from the planned exit.
        if route_end == "adoption":
            d = int(DAYS_PER_YEAR * 0.55 * math.exp(rng.gauss(0, 0.4)))
            period["final_phase"] = (max(t + 60, exit_t - d), "placed_for_adoption")
        elif route_end == "home" and rng.random() < 0.3:
            d = int(DAYS_PER_YEAR * 0.4 * math.exp(rng.gauss(0, 0.5)))
            period["final_phase"] = (max(t + 20, exit_t - d), "placed_with_parents")
        elif route_end == "sgo" and rng.random() < 0.6:
            d = int(DAYS_PER_YEAR * 0.7 * math.exp(rng.gauss(0, 0.4)))
            period["final_phase"] = (max(t + 30, exit_t - d), "foster_kinship")
        if period["final_phase"] and period["final_phase"][0] >= exit_t:
            period["final_phase"] = None
        if kind is None:
            kind = self.placement_kind_for(child, t, route)
        if kind == "foster":
            kind = self.resolve_foster(t)
        self.begin_placement(child, t, kind)
        self.push(exit_t, "exit", child["id"], child["version"])
        if period["final_phase"]:
            self.push(period["final_phase"][0], "phase", child["id"], child["version"])

    def move_duration_op(self, child, category, t):
        """Operational days a placement lasts before it breaks down or is changed."""
        rng = self.rng
        band = age_band((t - child["dob"]) / DAYS_PER_YEAR)
        age_factor = [1.6, 1.4, 1.1, 0.75, 0.6][band]
        if category in ("foster_in_house", "foster_agency", "foster_kinship"):
            shape = {"foster_in_house": 0.65, "foster_agency": 0.6, "foster_kinship": 0.8}[category]
            scale = {"foster_in_house": 2.4, "foster_agency": 1.9, "foster_kinship": 3.5}[category]
            years = scale * age_factor * rng.weibullvariate(1.0, shape)
        elif category in ("childrens_home_in_house", "childrens_home_external", "residential_other",
                          "supported_accommodation"):
            median = {"childrens_home_in_house": 0.9, "childrens_home_external": 0.8,
                      "residential_other": 0.7, "supported_accommodation": 1.1}[category]
            years = median * rng.lognormvariate(0, 0.9)
        elif category == "parent_and_child":
            years = 0.35 * rng.lognormvariate(0, 0.5)
        elif category == "placed_with_parents":
            years = 1.2 * rng.lognormvariate(0, 0.8)
        elif category == "placed_for_adoption":
            years = 40.0  # ends only at the adoption
        else:
            years = 0.4 * rng.lognormvariate(0, 1.0)
        return max(1.0, years * DAYS_PER_YEAR)

    def begin_placement(self, child, t, category, same_day_legal=None):
        rng = self.rng
        period = child["periods"][-1]
        placement = {"category": category, "start": t, "end": None, "splits": [],
                     "place": self.place_code(category, child, t), "urn": None, "pl_post": self.postcode()}
        if category in ("childrens_home_in_house", "childrens_home_external"):
            placement["urn"] = "SC" + "".join(rng.choice("0123456789") for _ in range(6))
        period["placements"].append(placement)
        if category == "foster_in_house":
            self.in_house_occupied += 1
        child["pversion"] = child.get("pversion", 0) + 1
        end_t = int(self.move_clock.advance(t, self.move_duration_op(child, category, t)))
        self.push(max(end_t, t + 1), "move", child["id"], (child["version"], child["pversion"]))
        # A same-carer change (RNE T, or U with a legal change) part-way through a foster placement
        # that will last a while: the carer is approved as long-term, or as adopter.
        if category in ("foster_in_house", "foster_agency", "foster_kinship") and rng.random() < 0.3:
            when = t + int(rng.uniform(60, 500))
            self.push(when, "same_carer", child["id"], (child["version"], child["pversion"]))

    def place_code(self, category, child, t):
        rng = self.rng
        if category in ("foster_in_house", "foster_agency"):
            return ("U6" if rng.random() < 0.6 else rng.choice(["U4", "U5"]),
                    "PR1" if category == "foster_in_house" else "PR4")
        if category == "foster_kinship":
            return ("U3" if rng.random() < 0.6 else rng.choice(["U1", "U2"]), "PR1")
        if category == "placed_for_adoption":
            return (rng.choice(["A3", "A4", "A5", "A6"]), "PR1")
        if category == "placed_with_parents":
            return ("P1", "PR0")
        if category == "childrens_home_in_house":
            return ("K2", "PR1")
        if category == "childrens_home_external":
            return ("K2", "PR4")
        if category == "residential_other":
            return ("S1", "PR4")  # residential school
        if category == "parent_and_child":
            return ("R3", "PR4")
        if category == "supported_accommodation":
            return ("H5", "PR4")
        return ("Z1", "PR4")

    def end_placement(self, child, t):
        placement = child["periods"][-1]["placements"][-1]
        placement["end"] = t
        if placement["category"] == "foster_in_house":
            self.in_house_occupied -= 1

    def postcode(self):
        rng = self.rng
        return "%s%d %d%s%s" % (rng.choice(["RM", "IG", "E", "N", "SE"]), rng.randint(1, 20), rng.randint(1, 9),
                                rng.choice("ABDEFGHJLNPQRSTUWXYZ"), rng.choice("ABDEFGHJLNPQRSTUWXYZ"))

    # ---- the event loop -------------------------------------------------------------------
    def schedule_entries(self):
        rng = self.rng
        p = self.params
        for i, rate in enumerate(self.entries_per_year):
            year = self.sim_first_year + i
            y0 = dt.date(year, 4, 1).toordinal()
            y1 = dt.date(year + 1, 4, 1).toordinal()
            # Children arrive in groups: the expected number of children is the year's rate.
            n_children = 0
            target = self.poisson(rate)
            while n_children < target:
                size = 1
                if rng.random() < p["sibling_share"]:
                    size = rng.choices([2, 3, 4], [0.6, 0.28, 0.12])[0]
                t = rng.randrange(y0, y1)
                self.push(t, "entry", size, None)
                n_children += size
            for _ in range(self.poisson(p["uasc_base"] * (self.entries_per_year[i] / p["entries_base"]) ** 0.5)):
                self.push(rng.randrange(y0, y1), "uasc_entry", 1, None)
        # Short breaks: a fixed set of disabled children with short breaks through the returns.
        for _ in range(p["short_break_children"]):
            self.push(self.start_ord + int(DAYS_PER_YEAR * rng.uniform(self.burn_in_years - 3, self.burn_in_years + 1)),
                      "short_break_child", 1, None)

    def poisson(self, lam):
        # Knuth for small means, normal approximation otherwise (lam here is at most a few hundred).
        if lam < 30:
            limit, k, prod = math.exp(-lam), 0, self.rng.random()
            while prod > limit:
                k += 1
                prod *= self.rng.random()
            return k
        return max(0, int(round(self.rng.gauss(lam, math.sqrt(lam)))))

    def entry_age_days(self):
        rng = self.rng
        band = rng.choices(range(5), self.params["entry_age_shares"])[0]
        lo, hi = [(0, 1), (1, 5), (5, 10), (10, 16), (16, 17.9)][band]
        return int(rng.uniform(lo, hi) * DAYS_PER_YEAR)

    def run(self):
        rng = self.rng
        self.schedule_entries()
        self.short_breaks = []
        horizon = self.end_ord + 1
        while self.events:
            t, _, kind, cid, version = heapq.heappop(self.events)
            if t > horizon:
                break
            if kind == "entry":
                self.handle_entry(t, cid)
            elif kind == "uasc_entry":
                age = int(rng.uniform(14, 17.8) * DAYS_PER_YEAR)
                child = self.new_child(t - age, 1 if rng.random() < 0.9 else 2, uasc=True)
                band = age_band(age / DAYS_PER_YEAR)
                route = self.draw_route(band, uasc=True)
                self.start_period(child, t, route, self.draw_exit_op_days(route, band), False)
            elif kind == "short_break_child":
                self.make_short_breaks(t)
            else:
                child = self.children[cid]
                self.handle_child_event(child, t, kind, version)

    def handle_entry(self, t, size):
        rng = self.rng
        eldest_age = self.entry_age_days()
        ages = [eldest_age]
        for _ in range(size - 1):
            ages.append(max(0, ages[-1] - int(rng.uniform(1, 3.5) * DAYS_PER_YEAR)))
        home_post = self.postcode()
        youngest_band = age_band(ages[-1] / DAYS_PER_YEAR)
        route = self.draw_route(youngest_band)
        exit_op = self.draw_exit_op_days(route, youngest_band)
        kind = self.placement_kind_for(self.new_child_stub(t - ages[0]), t, route)
        if kind == "foster":
            kind = self.resolve_foster(t, n=size)
        for age in ages:
            child = self.new_child(t - age, rng.choice([1, 2]))
            band = age_band(age / DAYS_PER_YEAR)
            child_kind = kind
            if kind in ("parent_and_child",) and band > 0:
                child_kind = "foster_agency"
            if kind == "supported_accommodation" and band < 4:
                child_kind = self.resolve_foster(t)
            if kind in ("childrens_home_in_house", "childrens_home_external", "residential_other") and band < 2:
                child_kind = self.resolve_foster(t)
            child_route = route if (route != "to18" or band >= 2) else "home"
            if route == "adoption" and band >= 2:
                child_route = "sgo"
            self.start_period(child, t, child_route, exit_op if child_route == route else
                              self.draw_exit_op_days(child_route, band), False, kind=child_kind)
            child["periods"][-1]["home_post"] = home_post

    def new_child_stub(self, dob):
        return {"dob": dob, "uasc": False}

    def handle_child_event(self, child, t, kind, version):
        rng = self.rng
        if kind == "reentry":
            if child["state"] != "home" or version != child.get("version"):
                return
            band = age_band((t - child["dob"]) / DAYS_PER_YEAR)
            route = self.draw_route(band, reentry=True)
            child["state"] = None
            self.start_period(child, t, route, self.draw_exit_op_days(route, band), True)
            return
        if not child["periods"]:
            return
        period = child["periods"][-1]
        if period["end"] is not None:
            return
        if kind == "exit":
            if version != child["version"]:
                return
            self.end_placement(child, t)
            period["end"] = t
            end_kind = period["planned_kind"]
            if end_kind == "age18":
                last = period["placements"][-1]["category"]
                if last in ("foster_in_house", "foster_agency", "foster_kinship") and rng.random() < 0.35:
                    period["end_kind"] = "E17"
                else:
                    period["end_kind"] = rng.choices(["E5", "E8", "E6"], [0.7, 0.25, 0.05])[0]
            else:
                period["end_kind"] = EXIT_CODE[end_kind]
            if end_kind == "home" and rng.random() < self.params["reentry_probability"]:
                delay = int(DAYS_PER_YEAR * 0.9 * rng.lognormvariate(0, 0.7)) + 14
                eighteen = add_years(dt.date.fromordinal(child["dob"]), 18).toordinal()
                if t + delay < eighteen - 60:
                    child["state"] = "home"
                    child["version"] += 1
                    self.push(t + delay, "reentry", child["id"], child["version"])
            return
        if kind == "phase":
            if version != child["version"]:
                return
            target = period["final_phase"][1]
            current = period["placements"][-1]
            if current["category"] == target:
                return
            self.end_placement(child, t)
            self.begin_placement(child, t, target)
            return
        vers, pvers = version
        if vers != child["version"] or pvers != child["pversion"]:
            return
        current = period["placements"][-1]
        if kind == "same_carer":
            code, provider = current["place"]
            if code in ("U6", "U3"):
                new_code = "U4" if code == "U6" else "U1"
                with_legal = period["legal"] == "C1" and rng.random() < 0.5
                current["splits"].append((t, "U" if with_legal else "T", new_code))
            return
        if kind == "move":
            # A placement ended that is not the period's last: a move to another carer. During a
            # final phase (adoptive placement) nothing moves.
            if current["category"] == "placed_for_adoption":
                return
            phase = period["final_phase"]
            if phase and current["category"] == phase[1] and t >= phase[0]:
                return
            new_kind = self.placement_kind_for(child, t, period["route"], current=current["category"])
            self.end_placement(child, t)
            if new_kind == "foster":
                new_kind = self.resolve_foster(t)
            self.begin_placement(child, t, new_kind)

    def make_short_breaks(self, t0):
        """A disabled child with short breaks: several V3 single breaks a year, or a V4 series
        recorded as episodes of a few days, across the rest of the returns."""
        rng = self.rng
        age = int(rng.uniform(5, 14) * DAYS_PER_YEAR)
        child = self.new_child(t0 - age, rng.choice([1, 2]))
        ls = rng.choice(["V3", "V4"])
        eighteen = add_years(dt.date.fromordinal(child["dob"]), 18).toordinal()
        t = t0
        place = rng.choice([("K2", "PR1"), ("U6", "PR1"), ("K2", "PR4")])
        home = self.postcode()
        while t < min(eighteen, self.end_ord + 200):
            length = rng.randint(1, 6) if ls == "V3" else rng.randint(2, 10)
            self.short_breaks.append({"child": child["id"], "start": t, "end": t + length, "ls": ls,
                                      "place": place, "home_post": home})
            t += length + int(rng.uniform(20, 70))

    # ---- episodes -------------------------------------------------------------------------
    def episodes(self):
        """Every episode as a dict with ordinal dates (end None if still open)."""
        rng = random.Random(self.seed * 7919 + 1)
        reasons = ["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "OTHER"]
        out = []
        for child in self.children.values():
            for period in child["periods"]:
                legal = period["legal"]
                change = period["legal_change"]
                eps = []
                for pi, pl in enumerate(period["placements"]):
                    code, provider = pl["place"]
                    rne = "S" if pi == 0 else "P"
                    if pi > 0 and change is not None and change <= pl["start"] and legal != "C2":
                        legal, rne = "C2", "B"
                    # The splits within the placement: legal status changes (L) and same-carer
                    # changes (T, or U with a legal change), in date order.
                    cuts = []
                    if change is not None and legal != "C2" and pl["start"] < change < (pl["end"] or 10**9):
                        cuts.append((change, "L", None))
                    for (st, r, new_code) in pl["splits"]:
                        if pl["start"] < st < (pl["end"] or 10**9):
                            cuts.append((st, r, new_code))
                    cuts.sort()
                    start, cur_code = pl["start"], code
                    ep = {"child": child["id"], "start": start, "rne": rne, "ls": legal, "cin": period["cin"],
                          "place": cur_code, "provider": provider, "home_post": period["home_post"],
                          "pl_post": pl["pl_post"], "urn": pl["urn"] or "XXXXXXX", "reason": None}
                    for (st, r, new_code) in cuts:
                        if st == ep["start"] or (r == "L" and legal == "C2"):
                            continue
                        ep["end"], ep["rec"] = st, "X1"
                        eps.append(ep)
                        if r in ("L", "U") and legal != "C2":
                            legal = "C2"
                        if new_code:
                            cur_code = new_code
                        ep = dict(ep, start=st, rne=r, ls=legal, place=cur_code, reason=None)
                    ep["end"] = pl["end"]
                    ep["rec"] = "X1" if pi < len(period["placements"]) - 1 else period["end_kind"]
                    if pi < len(period["placements"]) - 1:
                        ep["reason"] = rng.choice(reasons)
                    eps.append(ep)
                if period["end"] is None:
                    eps[-1]["end"], eps[-1]["rec"] = None, None
                out.extend(self.drop_empty(eps))
        for sb in self.short_breaks:
            out.append({"child": sb["child"], "start": sb["start"], "end": sb["end"], "rne": "S", "ls": sb["ls"],
                        "cin": "N1", "place": sb["place"][0], "provider": sb["place"][1],
                        "home_post": sb["home_post"], "pl_post": self.postcode(), "urn": "XXXXXXX",
                        "rec": "E13", "reason": None, "short_break": True})
        return out

    @staticmethod
    def drop_empty(eps):
        """Drops episodes of no length (two changes on one day), keeping the period's chain: the
        end reason passes to the episode before, and the first remaining episode starts the period."""
        kept = []
        for e in eps:
            if e["end"] is not None and e["end"] <= e["start"]:
                if kept and e["rec"] != "X1":
                    kept[-1]["rec"] = e["rec"]
                    kept[-1]["reason"] = None
                continue
            kept.append(e)
        if kept and eps and eps[0]["rne"] == "S":
            kept[0]["rne"] = "S"
        return kept

    # ---- writing --------------------------------------------------------------------------
    def write(self, out_dir):
        os.makedirs(out_dir, exist_ok=True)
        episodes = self.episodes()
        by_child = {}
        for e in episodes:
            by_child.setdefault(e["child"], []).append(e)
        for year in range(self.first_year, self.first_year + self.n_years):
            y0 = dt.date(year, 4, 1).toordinal()
            y1 = dt.date(year + 1, 3, 31).toordinal()
            rows, kids = [], set()
            for cid, eps in by_child.items():
                for e in sorted(eps, key=lambda e: e["start"]):
                    if e["start"] <= y1 and (e["end"] is None or e["end"] >= y0):
                        open_at_end = e["end"] is None or e["end"] > y1
                        rows.append([cid, fmt(e["start"]), e["rne"], e["ls"], e["cin"], e["place"], e["provider"],
                                     "" if open_at_end else fmt(e["end"]), "" if open_at_end else e["rec"],
                                     (e["reason"] or "") if not open_at_end else "", e["home_post"], e["pl_post"],
                                     e["urn"]])
                        kids.add(cid)
            with open(os.path.join(out_dir, "%d-episodes.csv" % year), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                            "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"])
                w.writerows(rows)
            with open(os.path.join(out_dir, "%d-header.csv" % year), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
                for cid in sorted(kids):
                    c = self.children[cid]
                    w.writerow([cid, c["sex"], fmt(c["dob"]), c["ethnic"], c["upn"], "", ""])
            with open(os.path.join(out_dir, "%d-uasc.csv" % year), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["CHILD", "SEX", "DOB", "DUC"])
                for cid in sorted(kids):
                    c = self.children[cid]
                    if c["uasc"]:
                        duc = add_years(dt.date.fromordinal(c["dob"]), 18).toordinal()
                        w.writerow([cid, c["sex"], fmt(c["dob"]), fmt(duc)])
        self.write_truth(os.path.join(out_dir, "truth.csv"))
        self.write_flows(os.path.join(out_dir, "truth-flows.csv"))
        with open(os.path.join(out_dir, "world.txt"), "w") as f:
            f.write("seed %d\nfirst collection year %d\ncollection years %d\n" % (self.seed, self.first_year, self.n_years))
            for k, v in sorted(self.params.items()):
                f.write("%s %s\n" % (k, v))
            f.write("entries_per_year %s\n" % " ".join("%.1f" % x for x in self.entries_per_year[self.burn_in_years:]))
            f.write("exit_multiplier %s\n" % " ".join("%.3f" % x for x in self.exit_mult[self.burn_in_years:]))
            f.write("move_multiplier %s\n" % " ".join("%.3f" % x for x in self.move_mult[self.burn_in_years:]))
            f.write("in_house_capacity %s\n" % " ".join(str(x) for x in self.capacity[self.burn_in_years:]))

    # ---- truth ----------------------------------------------------------------------------
    def truth_rows(self):
        """Children looked after at the end of each month end and 31 March (DfE: short breaks
        excluded), by category, and the stability indicators at each 31 March."""
        dates = []
        d = dt.date(self.first_year, 4, 30)
        last = dt.date(self.first_year + self.n_years, 3, 31)
        # The day before the returns start is also a stock date (the first year's opening stock).
        dates.append(dt.date(self.first_year, 3, 31))
        while d <= last:
            dates.append(d)
            d = add_months(dt.date(d.year, d.month, 1), 2) - dt.timedelta(days=1)
        rows = []
        intervals = []  # (start, end or None, category, child, period, placement index)
        for child in self.children.values():
            for period in child["periods"]:
                for pi, pl in enumerate(period["placements"]):
                    if pl["end"] is None or pl["end"] > pl["start"]:
                        intervals.append((pl["start"], pl["end"], pl["category"], child, period, pi))
        intervals.sort(key=lambda x: x[0])
        starts = [iv[0] for iv in intervals]
        for day in dates:
            o = day.toordinal()
            counts = dict.fromkeys(CATEGORIES, 0)
            open_now = []
            for iv in intervals[:bisect.bisect_right(starts, o)]:
                if iv[1] is None or iv[1] > o:
                    counts[iv[2]] += 1
                    open_now.append(iv)
            iso = day.isoformat()
            for c in CATEGORIES:
                rows.append(("children_looked_after", c, iso, counts[c]))
            rows.append(("children_looked_after", "all", iso, sum(counts.values())))
            if day.month == 3 and day.day == 31:
                rows.extend(self.stability(day, open_now))
        return rows

    def stability(self, day, open_now):
        o = day.toordinal()
        april = dt.date(day.year - 1, 4, 1).toordinal()
        three_plus = 0
        lt_den = lt_num = 0
        for (_, _, category, child, period, pi) in open_now:
            placements = 0
            for p in child["periods"]:
                for pl in p["placements"]:
                    if pl["start"] <= o and (pl["end"] is None or pl["end"] >= april) and \
                            (pl["end"] is None or pl["end"] > pl["start"]):
                        placements += 1
            if placements >= 3:
                three_plus += 1
            sixteenth = add_years(dt.date.fromordinal(child["dob"]), 16).toordinal()
            if o < sixteenth and period["start"] <= add_months(day, -30).toordinal():
                lt_den += 1
                since = period["placements"][pi]["start"]
                if category == "placed_for_adoption" and pi > 0:
                    since = period["placements"][pi - 1]["start"]
                if since <= add_months(day, -24).toordinal():
                    lt_num += 1
        iso = day.isoformat()
        n = len(open_now)
        return [("stability_short_term", "all", iso, round(100.0 * three_plus / n, 4) if n else 0.0),
                ("stability_long_term", "all", iso, round(100.0 * lt_num / lt_den, 4) if lt_den else 0.0)]

    def flow_rows(self):
        """Entries and exits (all, and by the DfE reason code) in each collection year of the returns, counted
        from the periods of care (short breaks are not periods), as published-figures rows."""
        rows = []
        for year in range(self.first_year, self.first_year + self.n_years):
            y0 = dt.date(year, 4, 1).toordinal()
            y1 = dt.date(year + 1, 3, 31).toordinal()
            entries = 0
            exits = {}
            for child in self.children.values():
                for period in child["periods"]:
                    if y0 <= period["start"] <= y1:
                        entries += 1
                    if period["end"] is not None and y0 <= period["end"] <= y1:
                        exits[period["end_kind"]] = exits.get(period["end_kind"], 0) + 1
            start, end = dt.date(year, 4, 1).isoformat(), dt.date(year + 1, 3, 31).isoformat()
            rows.append(("entries", "all", start, end, entries))
            rows.append(("exits", "all", start, end, sum(exits.values())))
            for code in sorted(exits):
                rows.append(("exits", code, start, end, exits[code]))
        return rows

    def write_flows(self, path):
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["metric", "reason", "period_start", "date", "value"])
            w.writerows(self.flow_rows())

    def write_truth(self, path):
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["metric", "category", "date", "value"])
            w.writerows(self.truth_rows())


def category_of(place, provider):
    """The carecast category of an SSDA903 placement code, as this generator writes them."""
    if place in ("U4", "U5", "U6"):
        return "foster_in_house" if provider == "PR1" else "foster_agency"
    if place in ("U1", "U2", "U3"):
        return "foster_kinship"
    if place in ("A3", "A4", "A5", "A6"):
        return "placed_for_adoption"
    if place == "K2":
        return "childrens_home_in_house" if provider == "PR1" else "childrens_home_external"
    return {"P1": "placed_with_parents", "S1": "residential_other", "R3": "parent_and_child",
            "H5": "supported_accommodation"}.get(place, "other")


def check_returns(out_dir):
    """Reads the written returns back as an analyst would (the latest return's version of each
    episode, short breaks left out) and checks them against truth.csv at every 31 March: children
    looked after by category and the short-term stability indicator. Also checks that every
    child's episodes chain: no overlap, X1 followed by an episode the same day, RNE S only after a
    gap or a leaving-care REC. Returns a list of problems (empty when all is well)."""
    def day(s):
        return dt.datetime.strptime(s, "%d/%m/%Y").date().toordinal() if s else None
    years = sorted(int(f.split("-")[0]) for f in os.listdir(out_dir) if f.endswith("-episodes.csv"))
    episodes = {}
    for y in years:
        with open(os.path.join(out_dir, "%d-episodes.csv" % y), newline="") as f:
            for r in csv.DictReader(f):
                episodes[(r["CHILD"], r["DECOM"])] = r  # a later return replaces an earlier
    by_child = {}
    for r in episodes.values():
        if r["LS"] in ("V3", "V4"):
            continue
        by_child.setdefault(r["CHILD"], []).append((day(r["DECOM"]), day(r["DEC"]), r))
    problems = []
    for cid, eps in by_child.items():
        eps.sort(key=lambda e: e[0])
        for (s0, e0, r0), (s1, e1, r1) in zip(eps, eps[1:]):
            if e0 is None or e0 > s1:
                problems.append("child %s: episodes overlap" % cid)
            elif r0["REC"] == "X1" and (e0 != s1 or r1["RNE"] == "S"):
                problems.append("child %s: X1 not followed the same day by an episode continuing the period" % cid)
            elif r0["REC"] != "X1" and r1["RNE"] != "S":
                problems.append("child %s: a new period without RNE S" % cid)
    truth = {}
    with open(os.path.join(out_dir, "truth.csv"), newline="") as f:
        for r in csv.DictReader(f):
            truth[(r["metric"], r["category"], r["date"])] = float(r["value"])
    for y in years:
        d = dt.date(y + 1, 3, 31).toordinal()
        april = dt.date(y, 4, 1).toordinal()
        counts = dict.fromkeys(CATEGORIES, 0)
        three_plus = looked_after = 0
        for eps in by_child.values():
            now = [r for (s, e, r) in eps if s <= d and (e is None or e > d)]
            if not now:
                continue
            looked_after += 1
            counts[category_of(now[0]["PLACE"], now[0]["PLACE_PROVIDER"])] += 1
            placements = sum(1 for (s, e, r) in eps if april <= s <= d and r["RNE"] in ("S", "P", "B"))
            placements += any(s < april and (e is None or e >= april) for (s, e, r) in eps)
            three_plus += placements >= 3
        iso = dt.date.fromordinal(d).isoformat()
        for c in CATEGORIES:
            if counts[c] != truth[("children_looked_after", c, iso)]:
                problems.append("%s %s: %d in the returns, %g in the truth" % (
                    iso, c, counts[c], truth[("children_looked_after", c, iso)]))
        share = round(100.0 * three_plus / looked_after, 4) if looked_after else 0.0
        if abs(share - truth[("stability_short_term", "all", iso)]) > 1e-6:
            problems.append("%s stability_short_term: %g in the returns, %g in the truth" % (
                iso, share, truth[("stability_short_term", "all", iso)]))
    return problems


def generate(seed, out_dir, first_year=None, n_years=None, size=1.0, move_variation=True):
    world = World(seed, first_year, n_years, size, move_variation)
    world.run()
    world.write(out_dir)
    return world


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="folder for the returns and truth.csv")
    ap.add_argument("--first-year", type=int, default=None, help="first collection year (default: drawn)")
    ap.add_argument("--years", type=int, default=None, help="collection years of returns (default: 10-12, drawn)")
    ap.add_argument("--size", type=float, default=1.0,
                    help="scale the council's entries, UASC and short breaks (default 1: entries 130-200 a year)")
    ap.add_argument("--no-move-variation", action="store_true",
                    help="a diagnostic: moves at the world's own speed every year (no year-to-year variation of the "
                         "move clock); every other draw as without it")
    ap.add_argument("--check", action="store_true",
                    help="read the returns back and check them against truth.csv (exit 1 on a problem)")
    args = ap.parse_args()
    w = generate(args.seed, args.out, args.first_year, args.years, args.size, not args.no_move_variation)
    if args.check:
        problems = check_returns(args.out)
        for p in problems[:20]:
            print("problem: " + p)
        print("check: %d problems" % len(problems))
        if problems:
            raise SystemExit(1)
    print("world seed %d: collection years %d-%d in %s" % (args.seed, w.first_year,
                                                            w.first_year + w.n_years - 1, args.out))


if __name__ == "__main__":
    main()
