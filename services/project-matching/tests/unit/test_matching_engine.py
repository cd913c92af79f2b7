"""The engine against brute force on small random instances: the served weight and the total
distance equal the lexicographic optimum, after a full solve and after incremental placements;
capacity is never exceeded and every match obeys the category, distance, area and time rules."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from project_matching.domain.engine import MatchingEngine, Move
from project_matching.domain.matching import (Explanation, InstanceTooLarge, InvalidMatchInput, MatchRules, Need, Offer,
                                              PriorityWeights, Window, cost_scale, distance_m, kind_fit, refusal)
from project_matching.domain.resource import Resource

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


# --- issue 25: the defects around the solver --------------------------------------------------------


def test_the_cap_holds_on_the_exact_distance_not_the_rounded_one():
    rules = MatchRules(max_distance_m=2000)
    need = Need("d", "health", 0, 0)
    over, on = Offer("r", frozenset({"health"}), 2000.5, 0, 1), Offer("s", frozenset({"health"}), 2000, 0, 1)
    assert MatchingEngine(rules).solve([need], [over]).unserved == ["d"]  # it rounds to 2,000 m: still over
    assert "over the 2000 m cap" in refusal(need, over, rules)
    assert [m.distance_m for m in MatchingEngine(rules).solve([need], [on]).matches] == [2000]
    engine = MatchingEngine(rules)
    engine.solve([], [over])
    assert engine.add_need(need) == [Move("d", None)]  # the incremental path applies the same cap


def test_a_resource_with_windows_none_in_the_period_has_no_place_in_it():
    january_2030 = Window(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))
    january_2031 = Window(datetime(2031, 1, 1, tzinfo=UTC), datetime(2031, 2, 1, tzinfo=UTC))
    resource = Resource(id="r", kind="service", title="Visits", provider_kind="unit", provider_id=None,
                        area_code="C1", area_path="/D/", serves_path="/D/", categories=("health",), skills=(),
                        capacity=2, amount_fen=None, latitude=None, longitude=None, windows=(january_2030,),
                        state="active", origin="registered", created_at=T0, updated_at=T0)
    point = (39.92, 116.48)
    assert resource.offer(point, 2, january_2031).capacity == 0
    assert resource.offer(point, 2, january_2030).windows == (january_2030,)
    need = Need("d", "health", 0, 0, area_path="/D/C1/", window=january_2031)
    engine = MatchingEngine(RULES)
    assert engine.solve([need], [resource.offer(point, 2, january_2031)]).unserved == ["d"]
    assert engine.solve([need], [resource.offer(point, 2, january_2030)]).unserved == ["d"]  # windows kept
    assert engine.solve([replace(need, window=january_2030)], [resource.offer(point, 2, january_2030)]).served == 1


def test_a_rejected_pair_is_never_proposed_again():
    rules = MatchRules(max_distance_m=1500, rejected=frozenset({("a", "near")}))
    near, far = Offer("near", frozenset({"health"}), 0, 0, 1), Offer("far", frozenset({"health"}), 900, 0, 1)
    result = MatchingEngine(rules).solve([Need("a", "health", 0, 0)], [near, far])
    assert [(m.need_id, m.offer_id) for m in result.matches] == [("a", "far")]
    assert MatchingEngine(rules).solve([Need("a", "health", 0, 0)], [near]).unserved == ["a"]
    engine = MatchingEngine(rules)
    engine.solve([], [near])
    assert engine.add_need(Need("a", "health", 0, 0)) == [Move("a", None)]
    assert engine.add_need(Need("b", "health", 0, 0)) == [Move("b", "near")]  # others still may take it


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_newcomer_without_a_finite_position_is_refused_and_the_engine_stays_usable(bad):
    engine = MatchingEngine(RULES)
    engine.solve([Need("a", "health", 0, 0)], [Offer("o", frozenset({"health"}), 0, 0, capacity=2)])
    with pytest.raises(InvalidMatchInput):
        engine.add_need(Need("x", "health", bad, 0))
    with pytest.raises(InvalidMatchInput):
        engine.add_offer(Offer("y", frozenset({"health"}), 0, bad, capacity=1))
    assert len(engine.needs) == 1 and len(engine.offers) == 1  # nothing half-added
    assert engine.add_need(Need("x", "health", 10, 0)) == [Move("x", "o")]
    engine.add_offer(Offer("y", frozenset({"health"}), 5, 0, capacity=1))
    assert engine.result().served == 2 and engine.explain("x").candidates == 2
    with pytest.raises(InvalidMatchInput):  # a duplicate is refused the same way
        engine.add_need(Need("x", "health", 10, 0))


def test_a_need_without_a_finite_position_is_unserved_with_its_reason():
    engine = MatchingEngine(RULES)
    result = engine.solve([Need("a", "health", math.nan, 0), Need("b", "health", 0, math.inf),
                           Need("c", "health", 0, 0)],
                          [Offer("o", frozenset({"health"}), 0, 0, capacity=3),
                           Offer("p", frozenset({"health"}), math.nan, 0, capacity=3)])
    assert [m.need_id for m in result.matches] == ["c"] and result.unserved == ["a", "b"]
    reasons = {k: e.summary for k, e in engine.explanations().items()}
    assert "No usable position" in reasons["a"] and "No usable position" in reasons["b"]
    assert engine.explain("c").candidates == 1  # the offer without a position is no candidate
    assert refusal(Need("a", "health", math.nan, 0), Offer("o", frozenset({"health"}), 0, 0, 1), RULES) \
        == "no usable position"


def test_the_largest_cap_and_weight_the_api_accepts_solve_30k_needs_and_offers():
    """With a fixed scale, 50 km and weight 1000 overflowed OR-Tools' costs (BAD_COST_RANGE) from ~22k
    needs + offers. Sparse on purpose (three needs and three offers per category) to stay fast."""
    heavy = PriorityWeights(normal=1000, elderly_alone=1000, disabled=1000, low_income=1000, other=1000)
    rules = MatchRules(max_distance_m=50_000, weights=heavy)
    n = 15_000
    needs = [Need(f"n{i}", f"c{i // 3}", (i % 3) * 20_000, 0) for i in range(n)]
    offers = [Offer(f"o{j}", frozenset({f"c{j // 3}"}), (j % 3) * 20_000 + 1, 0, capacity=1) for j in range(n)]
    engine = MatchingEngine(rules)
    result = engine.solve(needs, offers)
    assert result.served == n and result.total_distance_m == n  # everyone at the 1 m neighbour, not further
    moves = engine.add_need(Need("late", "c0", 0, 0))
    assert engine.result().served == n and moves[0].need_id == "late"
    with pytest.raises(InstanceTooLarge):  # what does not fit is said, not left to the solver
        cost_scale(rules, 10_000_000, 10_000_000)


def test_the_cost_scale_keeps_the_weight_term_dominant():
    for rules in (RULES, MatchRules(max_distance_m=50_000)):
        for n, m in ((0, 0), (1, 1), (20_000, 8_000), (100_000, 100_000)):
            big = cost_scale(rules, n, m)
            assert big > n * rules.max_distance_m  # more than any total distance
            assert big * rules.max_weight * (n + m + 3) < 1 << 59  # well inside OR-Tools' measured range


def test_explanations_equal_the_scanning_ones_and_never_scan_the_needs_per_need():
    rnd = random.Random(3)
    needs = [Need(f"n{i}", rnd.choice(CATEGORIES), rnd.uniform(0, 3000), rnd.uniform(0, 3000),
                  household=rnd.choice([None, "disabled"])) for i in range(120)]
    offers = [Offer(f"o{j}", frozenset({rnd.choice(CATEGORIES)}), rnd.uniform(0, 3000), rnd.uniform(0, 3000),
                    capacity=rnd.randint(1, 3)) for j in range(30)]
    engine = MatchingEngine(RULES)
    engine.solve(needs, offers)

    def scanning(need_id: str) -> Explanation:  # the explanation as the quadratic code computed it
        i = next(k for k, n in enumerate(engine.needs) if n.id == need_id)
        need, j = engine.needs[i], engine.assigned[i]
        weight = RULES.weights.of(need.household)
        candidates = {k: distance_m(need, o) for k, o in enumerate(engine.offers) if refusal(need, o, RULES) is None}
        if j == -1:
            summary = (f"No resource for {need.category} within {RULES.max_distance_m} m that serves this area in "
                       "the period." if not candidates else f"{len(candidates)} candidate resource(s), all full with "
                       "needs of equal or higher priority or that only they can serve.")
            return Explanation(need.id, None, None, None, weight, None, None, None, len(candidates), 0, summary)
        offer, d = engine.offers[j], candidates[j]
        nearer = sum(1 for other in candidates.values() if other < d)
        left = offer.capacity - engine.load[j]
        summary = (f"{d / 1000:.2f} km away; fits by {kind_fit(need, offer)}; {engine.load[j]} of {offer.capacity} "
                   f"place(s) used, {left} left" + (f"; {nearer} nearer candidate(s) were needed by others"
                                                    if nearer else "; the nearest candidate"))
        return Explanation(need.id, offer.id, d, kind_fit(need, offer), weight, offer.capacity, engine.load[j], left,
                           len(candidates), nearer, summary)

    assert engine.explanations() == {n.id: scanning(n.id) for n in needs}
    assert {e.offer_id is None for e in engine.explanations().values()} == {True, False}  # both kinds met

    class CountingList(list):
        scans = 0

        def __iter__(self):
            CountingList.scans += 1
            return super().__iter__()

    engine.needs = CountingList(engine.needs)
    engine.explanations()
    assert CountingList.scans <= 1  # one pass over the needs, not one per need


def test_a_scale_the_solver_still_refuses_is_halved_not_failed(monkeypatch):
    import project_matching.domain.engine as engine_module

    monkeypatch.setattr(engine_module, "cost_scale", lambda rules, n, m: (1 << 62) // rules.max_weight)
    needs = [Need("a", "health", 100, 0), Need("b", "health", 1400, 0, household="elderly_alone")]
    result = MatchingEngine(RULES).solve(needs, [Offer("o", frozenset({"health"}), 0, 0, capacity=1)])
    assert [(m.need_id, m.offer_id) for m in result.matches] == [("b", "o")]


def test_a_scale_no_halving_makes_fit_is_refused_as_too_large(monkeypatch):
    import project_matching.domain.engine as engine_module

    def always_refused(*args):
        raise engine_module.CostRangeExceeded("min-cost flow ended with status BAD_COST_RANGE")

    monkeypatch.setattr(engine_module, "solve_flow", always_refused)
    with pytest.raises(InstanceTooLarge):
        MatchingEngine(RULES).solve([Need("a", "health", 0, 0)], [Offer("o", frozenset({"health"}), 0, 0, 1)])


def test_the_solve_splits_into_groups_no_pair_crosses():
    from project_matching.domain.candidates import key_groups

    needs = [Need("a", "health", 0, 0), Need("b", "legal_aid", 0, 0), Need("c", "elderly_care", 0, 0, skill="plumbing"),
             Need("d", "housing_repair", 0, 0)]
    offers = [Offer("x", frozenset({"health", "legal_aid"}), 0, 0, 1),   # joins health and legal aid
              Offer("y", frozenset({"housing_repair"}), 0, 0, 1, skills=frozenset({"plumbing"}))]  # joins c and d
    groups = key_groups(needs, offers).tolist()
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[2]
