"""Local incremental placement (issue 25): after every arrival, need or offer, the engine's served
weight and total distance equal a full solve of the same needs and offers, the duals it keeps stay
feasible (no residual arc with a negative reduced cost), and one arrival settles only the nodes near
it, not the whole graph."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from project_matching.domain.engine import HUB, UNSERVED, MatchingEngine, Move
from project_matching.domain.matching import MatchRules, Need, Offer, PriorityWeights

CATEGORIES = ["elderly_care", "health"]
HOUSEHOLDS = [None, None, "elderly_alone", "disabled", "low_income"]

need_st = st.builds(lambda cat, x, y, hh: Need("", cat, x, y, household=hh),
                    st.sampled_from(CATEGORIES), st.integers(0, 3000), st.integers(0, 3000),
                    st.sampled_from(HOUSEHOLDS))
offer_st = st.builds(lambda cats, x, y, cap: Offer("", frozenset(cats), x, y, capacity=cap),
                     st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=2), st.integers(0, 3000),
                     st.integers(0, 3000), st.integers(0, 3))
item_st = st.one_of(need_st, offer_st)
rules_st = st.builds(lambda cap, w: MatchRules(max_distance_m=cap, weights=PriorityWeights(elderly_alone=w)),
                     st.sampled_from([800, 1500, 2500]), st.integers(1, 40))


def named(items: list[Need | Offer], prefix: str) -> list:
    return [type(x)(**{**x.__dict__, "id": f"{prefix}{k}"}) for k, x in enumerate(items)]


def optimum(rules: MatchRules, needs: list[Need], offers: list[Offer]) -> tuple[int, int]:
    result = MatchingEngine(rules).solve(needs, offers)
    return result.served_weight, result.total_distance_m


def reduced_costs_feasible(engine: MatchingEngine) -> bool:
    """Every residual arc of the engine's flow has a reduced cost >= 0 under the duals it keeps."""
    if engine._potential is None:
        return True
    pi = engine._pi
    for i, row in enumerate(engine._adjacency):
        mine = engine.assigned[i]
        for j, d in row.items():
            c = engine._cost(i, d)
            if j == mine and -c + pi(2 * j + 1) - pi(2 * i) < 0:
                return False
            if j != mine and c + pi(2 * i) - pi(2 * j + 1) < 0:
                return False
        if mine == UNSERVED and pi(HUB) - pi(2 * i) < 0 or mine != UNSERVED and pi(2 * i) - pi(HUB) < 0:
            return False
    for j, offer in enumerate(engine.offers):
        if engine.load[j] < max(0, offer.capacity) and pi(2 * j + 1) - pi(HUB) < 0:
            return False
        if engine.load[j] > 0 and pi(HUB) - pi(2 * j + 1) < 0:
            return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=rules_st, start_needs=st.lists(need_st, max_size=8), start_offers=st.lists(offer_st, max_size=6),
       arrivals=st.lists(item_st, min_size=1, max_size=12))
def test_every_arrival_keeps_the_full_solves_optimum(rules, start_needs, start_offers, arrivals):
    needs, offers = named(start_needs, "n"), named(start_offers, "o")
    engine = MatchingEngine(rules)
    engine.solve(needs, offers)
    for k, item in enumerate(arrivals):
        if isinstance(item, Need):
            item = Need(**{**item.__dict__, "id": f"new-n{k}"})
            engine.add_need(item)
            needs.append(item)
        else:
            item = Offer(**{**item.__dict__, "id": f"new-o{k}"})
            engine.add_offer(item)
            offers.append(item)
        result = engine.result()
        assert (result.served_weight, result.total_distance_m) == optimum(rules, needs, offers)
        assert reduced_costs_feasible(engine)
        for j, offer in enumerate(engine.offers):
            assert engine.load[j] <= max(0, offer.capacity)


@settings(max_examples=60, deadline=None)
@given(rules=rules_st, arrivals=st.lists(item_st, min_size=1, max_size=15))
def test_an_empty_engine_built_by_arrivals_alone_is_optimal(rules, arrivals):
    engine = MatchingEngine(rules)
    engine.solve([], [])
    needs, offers = [], []
    for k, item in enumerate(arrivals):
        item = type(item)(**{**item.__dict__, "id": f"a{k}"})
        (engine.add_need if isinstance(item, Need) else engine.add_offer)(item)
        (needs if isinstance(item, Need) else offers).append(item)
    result = engine.result()
    assert (result.served_weight, result.total_distance_m) == optimum(rules, needs, offers)


def town(clusters: int) -> tuple[list[Need], list[Offer]]:
    """`clusters` villages 10 km apart, each with 20 needs and 10 offers of 2 places."""
    needs, offers = [], []
    for c in range(clusters):
        x0 = c * 10_000
        needs += [Need(f"n{c}-{k}", "health", x0 + 37 * k % 900, 53 * k % 700) for k in range(20)]
        offers += [Offer(f"o{c}-{k}", frozenset({"health"}), x0 + 91 * k % 900, 29 * k % 700, capacity=2)
                   for k in range(10)]
    return needs, offers


def test_one_arrival_settles_only_its_own_village():
    needs, offers = town(50)
    engine = MatchingEngine(MatchRules(max_distance_m=2000))
    engine.solve(needs, offers)
    # Every village is full (20 needs, 20 places): a newcomer in village 7 can only displace a need there.
    moves = engine.add_need(Need("late", "health", 7 * 10_000 + 450, 350, household="elderly_alone"))
    assert moves[0].need_id == "late" and moves[0].offer_id is not None
    assert moves[-1].offer_id is None  # someone of lower weight in that village is let go
    assert engine.last_settled <= 20 + 10 + 2  # that village's nodes (and the hub), of 1,500 in all
    engine.add_offer(Offer("more", frozenset({"health"}), 7 * 10_000 + 400, 300, capacity=1))
    assert engine.last_settled <= 20 + 10 + 2
    result = engine.result()
    assert (result.served_weight, result.total_distance_m) == optimum(engine.rules, engine.needs, engine.offers)


def test_a_newcomer_that_cannot_improve_changes_nothing():
    engine = MatchingEngine(MatchRules(max_distance_m=1000))
    engine.solve([Need("a", "health", 0, 0, household="disabled")], [Offer("o", frozenset({"health"}), 10, 0, 1)])
    assert engine.add_need(Need("b", "health", 20, 0)) == [Move("b", None)]  # lighter: "a" keeps the place
    assert engine.result().matches[0].need_id == "a"
    assert engine.add_need(Need("c", "health", 5_000, 0)) == [Move("c", None)]  # nothing within the cap
    assert reduced_costs_feasible(engine)
