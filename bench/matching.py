"""Matching benchmark: a seeded district-sized instance, four ways to match it, one table.

Demands cluster around communities, resources are spread over the district, 21 categories, a
distance cap. For each method: demands served (and priority-weighted), km per served demand, and
time (candidate pairs included). The baseline is a plain OR-Tools min-cost-flow solve over pairs
found with a dense per-category distance matrix; the engine must equal it (served weight and total
distance), greedy passes serve fewer. Then the engine's explanation of every demand (one lookup
each since issue 25, a scan of the demand list each before), and top-k candidates for one demand
among 100k resources, against a full numpy scan of all of them.

Then (issue 25) incremental placement: arrivals per second (demands and resources, one at a time, each
placed exactly by `add_need` / `add_offer`) on the solved instance, against a full re-solve per arrival,
with the nodes each search settled; and, without --quick, a 100k x 100k district-of-a-city instance in
a child process: engine time (candidate pairs included) and peak RSS (`resource.getrusage`) against the
goal (10 s, 4 GB).

    python bench/matching.py [--demands 10000 --resources 10000 --cap-km 2 --seed 7] [--quick] [--json out.json]
                             [--arrivals 200] [--big 100000 --big-cap-km 1] [--no-big]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from common import Result, write  # noqa: E402  (bench/common.py puts bench/ on the path)

from project_matching.domain.candidates import CellIndex, candidate_pairs, offer_keys, top_candidates
from project_matching.domain.engine import MatchingEngine, solve_flow
from project_matching.domain.matching import MatchRules, Need, Offer, cost_scale, distance_m
from yizhou.contracts.categories import SERVICE_CATEGORIES

WIDTH_M, HEIGHT_M = 24_000, 20_000     # about the size of Chaoyang District (470 km²)
COMMUNITIES = 344
HOUSEHOLDS = [None] * 17 + ["elderly_alone", "disabled", "low_income"]


def instance(n_demands: int, n_resources: int, seed: int) -> tuple[list[Need], list[Offer]]:
    rnd = random.Random(seed)
    cats = list(SERVICE_CATEGORIES)
    popularity = [1 / (k + 1) ** 0.7 for k in range(len(cats))]   # a few categories are asked for far more
    centres = [(rnd.uniform(0, WIDTH_M), rnd.uniform(0, HEIGHT_M)) for _ in range(COMMUNITIES)]
    needs = []
    for i in range(n_demands):
        cx, cy = rnd.choice(centres)
        needs.append(Need(f"d{i}", rnd.choices(cats, popularity)[0], min(max(rnd.gauss(cx, 500), 0), WIDTH_M),
                          min(max(rnd.gauss(cy, 500), 0), HEIGHT_M), household=rnd.choice(HOUSEHOLDS)))
    offers = [Offer(f"r{j}", frozenset({rnd.choices(cats, popularity)[0]}), rnd.uniform(0, WIDTH_M),
                    rnd.uniform(0, HEIGHT_M), capacity=1) for j in range(n_resources)]
    return needs, offers


def score(needs, offers, pairs, rules):
    weight = sum(rules.weights.of(needs[i].household) for i, _ in pairs)
    km = sum(distance_m(needs[i], offers[j]) for i, j in pairs) / 1000
    return len(pairs), weight, km


def plain_min_cost_flow(needs, offers, rules):
    """Dense distances per category (every demand against every resource of its category), then OR-Tools."""
    nx, ny = np.array([n.x_m for n in needs]), np.array([n.y_m for n in needs])
    ox, oy = np.array([o.x_m for o in offers]), np.array([o.y_m for o in offers])
    by_cat_n, by_cat_o = {}, {}
    for i, n in enumerate(needs):
        by_cat_n.setdefault(n.category, []).append(i)
    for j, o in enumerate(offers):
        for c in o.categories:
            by_cat_o.setdefault(c, []).append(j)
    pn, po, pd = [], [], []
    for cat, ni in by_cat_n.items():
        oj = by_cat_o.get(cat)
        if not oj:
            continue
        ni, oj = np.array(ni), np.array(oj)
        exact = np.hypot(nx[ni][:, None] - ox[oj][None, :], ny[ni][:, None] - oy[oj][None, :])
        a, b = np.nonzero(exact <= rules.max_distance_m)  # the cap on the exact distance, as the engine's
        pn.append(ni[a]), po.append(oj[b]), pd.append(np.rint(exact[a, b]).astype(np.int64))
    pn, po, pd = np.concatenate(pn), np.concatenate(po), np.concatenate(pd)
    weights = np.array([rules.weights.of(n.household) for n in needs], np.int64)
    big = cost_scale(rules, len(needs), len(offers))
    chosen = solve_flow(len(needs), len(offers), pn, po, pd - big * weights[pn],
                        np.array([o.capacity for o in offers], np.int64))
    return list(zip(pn[chosen].tolist(), po[chosen].tolist()))


def first_come_first_served(needs, offers, rules):
    """Each demand in arrival order takes its nearest resource with room."""
    pn, po, pd = candidate_pairs(needs, offers, rules)
    order = np.lexsort((pd, pn))
    room = [o.capacity for o in offers]
    taken, pairs = set(), []
    for i, j in zip(pn[order].tolist(), po[order].tolist()):
        if i not in taken and room[j] > 0:
            taken.add(i)
            room[j] -= 1
            pairs.append((i, j))
    return pairs


def nearest_pair_first(needs, offers, rules):
    """All candidate pairs by distance; take a pair when both sides are still free."""
    pn, po, pd = candidate_pairs(needs, offers, rules)
    order = np.argsort(pd, kind="stable")
    room = [o.capacity for o in offers]
    taken, pairs = set(), []
    for i, j in zip(pn[order].tolist(), po[order].tolist()):
        if i not in taken and room[j] > 0:
            taken.add(i)
            room[j] -= 1
            pairs.append((i, j))
    return pairs


def engine_solve(needs, offers, rules):
    engine = MatchingEngine(rules)
    result = engine.solve(needs, offers)
    index = {o.id: j for j, o in enumerate(offers)}
    need_index = {n.id: i for i, n in enumerate(needs)}
    return [(need_index[m.need_id], index[m.offer_id]) for m in result.matches]


def explanations_bench(needs, offers, rules) -> tuple[float, float]:
    """(seconds to solve, seconds to explain every demand) with the engine."""
    engine = MatchingEngine(rules)
    _, solve_s = timed(engine.solve, needs, offers)
    _, explain_s = timed(engine.explanations)
    return solve_s, explain_s


def incremental_bench(n: int, arrivals: int, seed: int, rules: MatchRules) -> dict:
    """Solve n x n, then place `arrivals` newcomers (half demands, half resources, interleaved) one at a
    time; the baseline re-solves the whole instance for one arrival."""
    needs, offers = instance(n + arrivals, n + arrivals, seed + 2)
    engine = MatchingEngine(rules)
    _, solve_s = timed(engine.solve, needs[:n], offers[:n])
    _, prepare_s = timed(lambda: (engine._graph(), engine._duals()))  # once per solve, on the first arrival
    settled, start = [], time.perf_counter()
    for k in range(arrivals):
        if k % 2 == 0:
            engine.add_need(needs[n + k // 2])
        else:
            engine.add_offer(offers[n + k // 2])
        settled.append(engine.last_settled)
    place_s = time.perf_counter() - start
    mine = engine.result()
    full, resolve_s = timed(MatchingEngine(rules).solve, engine.needs, engine.offers)
    return {"solve_s": solve_s, "prepare_s": prepare_s, "per_s": arrivals / place_s, "resolve_per_s": 1 / resolve_s,
            "settled_mean": sum(settled) / len(settled), "settled_max": max(settled),
            "nodes": len(engine.needs) + len(engine.offers),
            "exact": (mine.served_weight, mine.total_distance_m) == (full.served_weight, full.total_distance_m)}


def big_child(n: int, cap_km: float, seed: int) -> None:
    """Runs in its own process, so that its peak RSS is the big instance's alone; prints one JSON line."""
    rules = MatchRules(max_distance_m=int(cap_km * 1000))
    needs, offers = instance(n, n, seed)
    (pn, _, _), pairs_s = timed(candidate_pairs, needs, offers, rules)
    pairs = len(pn)
    del pn  # the engine finds them again, inside its own timing
    result, engine_s = timed(MatchingEngine(rules).solve, needs, offers)
    print(json.dumps({"pairs": pairs, "pairs_s": pairs_s, "engine_s": engine_s, "served": result.served,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def big_bench(n: int, cap_km: float, seed: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--big-child", str(n), "--big-cap-km", str(cap_km),
                           "--seed", str(seed)], capture_output=True, text=True)
    if done.returncode != 0:
        return {"failed": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def top_k_bench(n_resources: int, seed: int, rules: MatchRules, queries: int, k: int = 10):
    needs, offers = instance(queries, n_resources, seed + 1)
    index, build_s = timed(build_index, offers, rules)
    start = time.perf_counter()
    answers = [top_candidates(n, offers, index, rules, k) for n in needs]
    indexed_ms = (time.perf_counter() - start) / queries * 1000
    ox, oy = np.array([o.x_m for o in offers]), np.array([o.y_m for o in offers])
    cats = np.array([next(iter(o.categories)) for o in offers])
    start = time.perf_counter()
    scans = []
    for n in needs:  # the baseline: a full vectorized scan of every resource
        d = np.rint(np.hypot(ox - n.x_m, oy - n.y_m))
        d[(cats != n.category) | (d > rules.max_distance_m)] = np.inf
        top = np.argpartition(d, min(k, len(d) - 1))[:k]
        scans.append(sorted((int(d[j]), int(j)) for j in top if np.isfinite(d[j])))
    scan_ms = (time.perf_counter() - start) / queries * 1000
    same = all([d for _, d in a] == [d for d, _ in s] for a, s in zip(answers, scans))
    return indexed_ms, scan_ms, build_s, same


def build_index(offers, rules):
    index = CellIndex(rules.max_distance_m)
    for j, o in enumerate(offers):
        index.add(j, offer_keys(o), o.x_m, o.y_m)
    return index


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--cap-km", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--topk-resources", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 x 2,000 and 20,000 resources for top-k")
    parser.add_argument("--json", help="Also write the results here (bench/run.py uses it)")
    parser.add_argument("--arrivals", type=int, default=200, help="incremental arrivals on the solved instance")
    parser.add_argument("--big", type=int, default=100_000, help="demands and resources of the big instance")
    parser.add_argument("--big-cap-km", type=float, default=1.0)
    parser.add_argument("--no-big", action="store_true", help="skip the big instance (--quick skips it too)")
    parser.add_argument("--big-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.big_child:
        big_child(args.big_child, args.big_cap_km, args.seed)
        return 0
    if args.quick:
        args.demands, args.resources, args.topk_resources = 2_000, 2_000, 20_000
    rules = MatchRules(max_distance_m=int(args.cap_km * 1000))
    needs, offers = instance(args.demands, args.resources, args.seed)
    print(f"instance: {len(needs)} demands around {COMMUNITIES} communities, {len(offers)} resources of capacity 1, "
          f"{len(SERVICE_CATEGORIES)} categories, cap {args.cap_km} km, seed {args.seed}")
    runs = {}
    for name, fn in [("plain OR-Tools min-cost flow", plain_min_cost_flow), ("engine", engine_solve),
                     ("first-come-first-served", first_come_first_served), ("nearest-pair-first", nearest_pair_first)]:
        pairs, seconds = timed(fn, needs, offers, rules)
        runs[name] = (*score(needs, offers, pairs, rules), seconds)
        served, weight, km, s = runs[name]
        print(f"{name:<30} served {served:>6} ({served / len(needs):6.1%})  weighted {weight:>7}  "
              f"km/served {km / max(served, 1):.3f}  time {s:.2f} s")
    base = runs["plain OR-Tools min-cost flow"]
    eng = runs["engine"]
    equal = eng[0] == base[0] and eng[1] == base[1] and abs(eng[2] - base[2]) < 1e-6
    fcfs = runs["first-come-first-served"]
    print(f"engine equals the optimum (served, weight, total km): {equal}; optimum serves "
          f"{(base[0] - fcfs[0]) / len(needs) * 100:.1f} points more demands than first-come-first-served")
    solve_s, explain_s = explanations_bench(needs, offers, rules)
    print(f"explaining all {len(needs)} demands: {explain_s:.2f} s (the solve before it: {solve_s:.2f} s)")
    indexed_ms, scan_ms, build_s, same = top_k_bench(args.topk_resources, args.seed, rules, queries=200)
    print(f"top-10 candidates among {args.topk_resources} resources: {indexed_ms:.3f} ms per demand "
          f"(index built once in {build_s:.2f} s) vs full scan {scan_ms:.2f} ms; same answers: {same}")
    inc = incremental_bench(len(needs), args.arrivals, args.seed, rules)
    print(f"incremental at {len(needs)}x{len(offers)}: {inc['per_s']:.1f} arrivals/s vs {inc['resolve_per_s']:.2f} "
          f"re-solves/s (x{inc['per_s'] / inc['resolve_per_s']:.0f}); settled {inc['settled_mean']:.0f} nodes on "
          f"average (max {inc['settled_max']}) of {inc['nodes']}; duals once per solve {inc['prepare_s']:.2f} s "
          f"after a {inc['solve_s']:.2f} s solve; equal to a full solve: {inc['exact']}")
    big = None
    if not (args.quick or args.no_big):
        big = big_bench(args.big, args.big_cap_km, args.seed)
        if "failed" in big:
            print(f"{args.big}x{args.big} failed: {big['failed']}")
        else:
            print(f"{args.big}x{args.big} at {args.big_cap_km} km: {big['pairs']} candidate pairs in "
                  f"{big['pairs_s']:.1f} s, "
                  f"engine {big['engine_s']:.1f} s (pairs included), served {big['served']}, "
                  f"peak RSS {big['peak_rss_mb']:.0f} MB")
    size = f"{len(needs)}x{len(offers)}"
    results = [
        Result("matching", f"engine served {size}", eng[0], "demands", "plain OR-Tools served", base[0], True,
               "equal to the optimum", equal),
        Result("matching", f"engine time {size}", eng[3], "s", "plain OR-Tools time", base[3], False,
               "about 2 s for 10k x 10k", eng[3] <= 2.5 if len(needs) >= 10_000 else None),
        Result("matching", "first-come-first-served served", fcfs[0], "demands", "optimum served", base[0], True),
        Result("matching", "nearest-pair-first served", runs["nearest-pair-first"][0], "demands", "optimum served",
               base[0], True),
        Result("matching", "engine km per served demand", eng[2] / max(eng[0], 1), "km", "first-come-first-served",
               fcfs[2] / max(fcfs[0], 1), False),
        Result("matching", f"explanations {size}", explain_s, "s", "engine solve", solve_s, False,
               "shorter than the solve", explain_s <= solve_s),
        Result("matching", f"top-10 of {args.topk_resources} resources", indexed_ms, "ms", "full numpy scan",
               scan_ms, False, "about 50 ms", indexed_ms <= 50 and same),
        Result("matching", f"incremental arrivals {size}", inc["per_s"], "per s", "re-solve per arrival",
               inc["resolve_per_s"], True, "exact and faster than re-solving",
               inc["exact"] and inc["per_s"] > inc["resolve_per_s"]),
    ]
    if big is not None and "failed" not in big:
        results += [
            Result("matching", f"engine time {args.big}x{args.big} ({args.big_cap_km} km)", big["engine_s"], "s",
                   "goal", 10.0, False, "under 10 s", big["engine_s"] < 10),
            Result("matching", f"peak RSS {args.big}x{args.big} ({args.big_cap_km} km)", big["peak_rss_mb"], "MB",
                   "goal", 4096.0, False, "under 4 GB", big["peak_rss_mb"] < 4096),
        ]
    write(results, args.json)
    out = Path(__file__).resolve().parent / "results" / f"matching-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "methods": {k: dict(zip(("served", "weighted", "km", "seconds"), v))
                                                               for k, v in runs.items()},
                               "engine_equals_optimum": equal}, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
