"""Congestion-aware ranking spreads claimants: simulated members who each take their top option
leave fewer options without anyone than ranking by fit or popularity does."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dual_registration.domain.claim_ranking import ClaimOption, Claimant, congestion, nearness, rank

GRID = "/CY/CY01/CY01001/CY0100101/"


def option(ident, category="children_youth", area=GRID, places=10, claimed=0, kind="project"):
    return ClaimOption(ident, kind, category, area, places, claimed)


def test_an_unclaimed_option_outranks_an_equally_fitting_popular_one():
    member = Claimant(frozenset({"children_youth"}), GRID)
    ranked = rank(member, [option("popular", claimed=6), option("empty")])
    assert [r.option.id for r in ranked] == ["empty", "popular"]
    assert "no one yet" in ranked[0].reason


def test_full_options_sink_but_stay_listed():
    member = Claimant(frozenset({"health"}), GRID)
    full = option("full", "health", places=2, claimed=2)
    weak_open = option("open", "legal_aid", "/CY/CY02/", places=2, claimed=1)
    assert [r.option.id for r in rank(member, [full, weak_open])] == ["open", "full"]
    assert congestion(full) < 0.05 and congestion(option("unlimited", places=None, claimed=50)) > 0


def test_nearer_on_the_axis_fits_better():
    member = Claimant(frozenset(), GRID)
    assert nearness(member, option("grid")) == 1.0
    assert nearness(member, option("community", area="/CY/CY01/CY01001/")) == 1.0  # the member's community
    assert nearness(member, option("other", area="/CY/CY01/CY01002/")) == 0.5
    assert nearness(member, option("far", area="/CY/CY09/")) == 0.25


def simulate(order_key, options, members) -> int:
    claimed = {o.id: 0 for o in options}
    for member in members:
        current = [replace(o, claimed=claimed[o.id]) for o in options]
        claimed[order_key(member, current)] += 1
    return sum(1 for c in claimed.values() if c > 0)


def by_congestion(member, options):
    return rank(member, options)[0].option.id


def by_fit(member, options):
    return max(rank(member, [replace(o, claimed=0) for o in options]), key=lambda r: (r.fit, r.option.id)).option.id


def by_popularity(member, options):
    return max(options, key=lambda o: (o.claimed, -int(o.id[1:]))).id


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_spreading_covers_more_options_than_popularity(seed):
    rnd = random.Random(seed)
    cats = ["health", "elderly_care", "culture_sports"]
    areas = [f"/CY/CY0{s}/CY0{s}00{c}/" for s in (1, 2) for c in (1, 2, 3)]
    options = [option(f"p{k}", rnd.choice(cats), rnd.choice(areas), rnd.randint(1, 4)) for k in range(12)]
    members = [Claimant(frozenset({rnd.choice(cats)}), rnd.choice(areas)) for _ in range(12)]
    spread = simulate(by_congestion, options, members)
    assert spread > simulate(by_popularity, options, members)
    assert spread >= simulate(by_fit, options, members) and 2 * spread > len(options)
