"""Congestion-aware claim ranking (dual_registration.domain.claim_ranking) against popularity and fit-only
orderings, under a stated choice model, in the same run.

The choice model (state it, since the figure depends on it): members arrive one at a time in random order,
each sees their ranked list and looks at its first three options; they claim the first of those whose fit
is at least 0.5 with probability 0.8, else the next (a crowded or full option puts nobody off but the list's
order); if none of the three tempts them they claim nothing. Fit is the ranking's own (skills' categories,
nearness on the axis). Reported: the share of options with at least one claimant, and of members who claimed.

    python bench/ranking.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

from common import Result, write

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "dual-registration"))
from dual_registration.domain.claim_ranking import ClaimOption, Claimant, rank  # noqa: E402

CATEGORIES = ["elderly_care", "children_youth", "health", "culture_sports", "legal_aid", "sanitation"]
LOOKED_AT, TEMPTED_FIT, TAKES = 3, 0.5, 0.8


def instance(rnd: random.Random, options: int, members: int) -> tuple[list[ClaimOption], list[Claimant]]:
    areas = [f"/CY/CY0{s}/CY0{s}00{c}/CY0{s}00{c}0{g}/" for s in (1, 2) for c in (1, 2, 3) for g in (1, 2)]
    # Some options are far more attractive to everyone (a popular category nearby): what popularity amplifies.
    opts = [ClaimOption(f"o{k}", "post" if k % 3 else "project",
                        rnd.choices(CATEGORIES, weights=[6, 4, 3, 2, 1, 1])[0], rnd.choice(areas),
                        None if k % 3 == 0 else rnd.randint(1, 4), 0) for k in range(options)]
    people = [Claimant(frozenset(rnd.sample(CATEGORIES, rnd.randint(1, 2))), rnd.choice(areas)) for _ in range(members)]
    return opts, people


def ordered(strategy: str, member: Claimant, options: list[ClaimOption]) -> list:
    ranked = rank(member, options)
    if strategy == "fit only":
        return sorted(ranked, key=lambda r: (-r.fit, r.option.id))
    if strategy == "popularity, filtered by fit":
        return sorted((r for r in ranked if r.fit >= TEMPTED_FIT), key=lambda r: (-r.option.claimed, r.option.id))
    return ranked


def simulate(strategy: str, options: list[ClaimOption], members: list[Claimant], rnd: random.Random) -> tuple[int, int]:
    claimed = {o.id: 0 for o in options}
    took = 0
    for member in members:
        current = [replace(o, claimed=claimed[o.id]) for o in options]
        for r in ordered(strategy, member, current)[:LOOKED_AT]:
            if r.option.places is not None and claimed[r.option.id] >= r.option.places:
                continue  # full: the claim would be refused
            if r.fit >= TEMPTED_FIT and rnd.random() < TAKES:
                claimed[r.option.id] += 1
                took += 1
                break
    return sum(1 for c in claimed.values() if c), took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    runs, n_options, n_members = (20, 60, 60) if args.quick else (200, 120, 120)
    totals = {s: [0, 0] for s in ("congestion-aware", "fit only", "popularity, filtered by fit")}
    for seed in range(runs):
        options, members = instance(random.Random(seed), n_options, n_members)
        for strategy in totals:
            covered, took = simulate(strategy, options, members, random.Random(seed * 7 + 1))
            totals[strategy][0] += covered
            totals[strategy][1] += took
    share = {s: (100 * c / (runs * n_options), 100 * t / (runs * n_members)) for s, (c, t) in totals.items()}
    print(f"# {runs} instances of {n_options} options x {n_members} members; choice model in the docstring")
    for s, (covered, took) in share.items():
        print(f"# {s:<28} options with a claimant {covered:5.1f} %, members who claimed {took:5.1f} %")
    ours = share["congestion-aware"]
    results = []
    for baseline in ("popularity, filtered by fit", "fit only"):
        results.append(Result("ranking", "options with at least one claimant", ours[0], "%", baseline,
                              share[baseline][0], True, "more than the baseline", ours[0] > share[baseline][0]))
        results.append(Result("ranking", "members who claimed", ours[1], "%", baseline, share[baseline][1], True))
    write(results, args.json)


if __name__ == "__main__":
    main()
