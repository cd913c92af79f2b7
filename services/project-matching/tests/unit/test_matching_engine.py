"""The engine against brute force on small random instances: the served weight and the total
distance equal the lexicographic optimum, after a full solve and after incremental placements;
capacity is never exceeded and every match obeys the category, distance, area and time rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from project_matching.domain.engine import MatchingEngine
from project_matching.domain.matching import MatchRules, Need, Offer, PriorityWeights, Window, distance_m, refusal

CATEGORIES = ["elderly_care", "health", "legal_aid"]
AREAS = ["/D/S1/C1/", "/D/S1/C2/", "/D/S2/C3/"]
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def window(start_h: int, length_h: int) -> Window:
    return Window(T0 + timedelta(hours=start_h), T0 + timedelta(hours=start_h + length_h))


coords = st.integers(0, 4000)
needs_st = st.builds(
    lambda k, cat, x, y, area, hh, skill, win: Need(
        id=f"n{k}", category=cat, x_m=x, y_m=y, area_path=area, household=hh, skill=skill, window=win),
    st.just(0), st.sampled_from(CATEGORIES), coords, coords, st.sampled_from(AREAS),
    st.sampled_from([None, None, "elderly_alone", "disabled", "low_income", "other"]),
    st.sampled_from([None, None, "plumbing"]),
    st.one_of(st.none(), st.builds(window, st.integers(0, 20), st.integers(1, 6))))
offers_st = st.builds(
    lambda k, cats, x, y, cap, serves, skills, wins: Offer(
        id=f"o{k}", categories=frozenset(cats), x_m=x, y_m=y, capacity=cap, serves_path=serves,
        skills=frozenset(skills), windows=tuple(wins)),
    st.just(0), st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=2), coords, coords, st.integers(0, 3),
    st.sampled_from(["/", "/", "/D/S1/", "/D/S2/C3/"]), st.sets(st.just("plumbing"), max_size=1),
    st.lists(st.builds(window, st.integers(0, 20), st.integers(1, 8)), max_size=2))


def numbered(items, prefix):
    return [type(x)(**{**x.__dict__, "id": f"{prefix}{k}"}) for k, x in enumerate(items)]


def brute_force(needs: list[Need], offers: list[Offer], rules: MatchRules) -> tuple[int, int]:
    """(best served weight, least total distance at that weight) by trying every assignment."""
    options = [[None] + [j for j, o in enumerate(offers) if refusal(n, o, rules) is None] for n in needs]
    best = (0, 0)
    load = [0] * len(offers)

    def walk(i: int, weight: int, dist: int) -> None:
        nonlocal best
        if i == len(needs):
            if (weight, -dist) > (best[0], -best[1]):
                best = (weight, dist)
            return
        for j in options[i]:
            if j is None:
                walk(i + 1, weight, dist)
            elif load[j] < offers[j].capacity:
                load[j] += 1
                walk(i + 1, weight + rules.weights.of(needs[i].household), dist + distance_m(needs[i], offers[j]))
                load[j] -= 1

    walk(0, 0, 0)
    return best


def check_feasible(engine: MatchingEngine) -> None:
    used: dict[str, int] = {}
    needs = {n.id: n for n in engine.needs}
    offers = {o.id: o for o in engine.offers}
    result = engine.result()
    assert len({m.need_id for m in result.matches}) == len(result.matches)
    for m in result.matches:
        assert refusal(needs[m.need_id], offers[m.offer_id], engine.rules) is None
        used[m.offer_id] = used.get(m.offer_id, 0) + 1
    for offer_id, count in used.items():
        assert count <= offers[offer_id].capacity  # capacity never exceeded


RULES = MatchRules(max_distance_m=1500)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(needs_st, max_size=7), st.lists(offers_st, max_size=4))
def test_full_solve_equals_brute_force(needs, offers):
    needs, offers = numbered(needs, "n"), numbered(offers, "o")
    engine = MatchingEngine(RULES)
    result = engine.solve(needs, offers)
    assert (result.served_weight, result.total_distance_m) == brute_force(needs, offers, RULES)
    check_feasible(engine)


@SETTINGS
@given(st.lists(needs_st, min_size=1, max_size=7), st.lists(offers_st, min_size=1, max_size=4),
       st.integers(0, 7), st.integers(0, 4), st.randoms(use_true_random=False))
def test_incremental_placement_stays_optimal(needs, offers, first_needs, first_offers, rnd):
    needs, offers = numbered(needs, "n"), numbered(offers, "o")
    engine = MatchingEngine(RULES)
    engine.solve(needs[:first_needs], offers[:first_offers])
    arrivals = [("need", n) for n in needs[first_needs:]] + [("offer", o) for o in offers[first_offers:]]
    rnd.shuffle(arrivals)
    placed_needs, placed_offers = list(needs[:first_needs]), list(offers[:first_offers])
    for kind, item in arrivals:
        if kind == "need":
            engine.add_need(item)
            placed_needs.append(item)
        else:
            engine.add_offer(item)
            placed_offers.append(item)
        result = engine.result()
        assert (result.served_weight, result.total_distance_m) == brute_force(placed_needs, placed_offers, RULES)
        check_feasible(engine)


def test_priority_household_wins_the_last_place():
    offer = Offer("o", frozenset({"elderly_care"}), 0, 0, capacity=1)
    near_normal = Need("a", "elderly_care", 100, 0)
    far_elderly = Need("b", "elderly_care", 1400, 0, household="elderly_alone")
    result = MatchingEngine(RULES).solve([near_normal, far_elderly], [offer])
    assert [(m.need_id, m.offer_id) for m in result.matches] == [("b", "o")]
    assert result.unserved == ["a"]


def test_weights_are_configurable():
    offer = Offer("o", frozenset({"elderly_care"}), 0, 0, capacity=1)
    two = [Need("a", "elderly_care", 100, 0), Need("b", "elderly_care", 200, 0)]
    elderly = Need("c", "elderly_care", 300, 0, household="elderly_alone")
    offers = [offer, Offer("p", frozenset({"elderly_care"}), 0, 10, capacity=1)]
    # Two places, three needs: with equal weights the two nearest win.
    flat = MatchRules(max_distance_m=1500, weights=PriorityWeights(normal=1, elderly_alone=1, disabled=1, low_income=1,
                                                                   other=1))
    assert {m.need_id for m in MatchingEngine(flat).solve([*two, elderly], offers).matches} == {"a", "b"}
    assert "c" in {m.need_id for m in MatchingEngine(RULES).solve([*two, elderly], offers).matches}
    with pytest.raises(ValueError):
        PriorityWeights(normal=0)


def test_a_new_need_displaces_a_lower_priority_one_and_says_so():
    engine = MatchingEngine(RULES)
    engine.solve([Need("a", "health", 0, 0)], [Offer("o", frozenset({"health"}), 0, 0, capacity=1)])
    moves = engine.add_need(Need("b", "health", 50, 0, household="disabled"))
    assert {(m.need_id, m.offer_id) for m in moves} == {("b", "o"), ("a", None)}
    assert engine.result().unserved == ["a"]


def test_a_new_offer_pulls_needs_closer_and_serves_the_unserved():
    engine = MatchingEngine(RULES)
    engine.solve([Need("a", "health", 1000, 0), Need("b", "health", 900, 0)],
                 [Offer("o", frozenset({"health"}), 0, 0, capacity=1)])
    assert engine.result().served == 1
    engine.add_offer(Offer("p", frozenset({"health"}), 1000, 0, capacity=2))
    result = engine.result()
    assert result.served == 2 and result.total_distance_m == 100  # both at the new, nearer offer


def test_explanations_name_distance_fit_and_capacity():
    engine = MatchingEngine(RULES)
    engine.solve([Need("a", "health", 300, 400), Need("z", "legal_aid", 0, 0)],
                 [Offer("o", frozenset({"health"}), 0, 0, capacity=3)])
    served = engine.explain("a")
    assert (served.offer_id, served.distance_m, served.fit, served.capacity_left) == ("o", 500, "category health", 2)
    assert "0.50 km" in served.summary and "2 left" in served.summary
    unserved = engine.explain("z")
    assert unserved.offer_id is None and unserved.candidates == 0 and "No resource" in unserved.summary


def test_resolve_after_changes_and_duplicate_ids_refused():
    engine = MatchingEngine(RULES)
    with pytest.raises(ValueError):
        engine.solve([Need("a", "health", 0, 0), Need("a", "health", 0, 0)], [])
    engine.solve([Need("a", "health", 0, 0)], [Offer("o", frozenset({"health"}), 0, 0, capacity=1)])
    engine.offers = []
    assert engine.resolve().served == 0
