"""Matching rounds for an area and period: the engine proposes, staff accept or reject each match;
top-k candidates for one demand; clusters of demands that could justify a project.

A rejected (demand, resource) pair is never proposed again. A new round supersedes the undecided
proposals of earlier rounds for its area and overlapping periods: they become `expired`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.domain.candidates import CellIndex, offer_keys, top_candidates
from project_matching.domain.engine import MatchingEngine, SolverFailure
from project_matching.domain.geo import to_plane
from project_matching.domain.matching import (InstanceTooLarge, InvalidMatchInput, MatchRules, Need, PriorityWeights,
                                              Window)
from project_matching.domain.resource import Resource
from project_matching.store import matching as store
from project_matching.store.resources import PlaceRepository, ResourceRepository, point_of
from project_matching.store.tables import matches
from project_matching.use_cases.access import area_in_scope, not_found
from project_matching.use_cases.errors import NoLocation
from project_matching.use_cases.publishing import record
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, require_role
from yizhou.contracts.matches import MatchAccepted, MatchProposed, MatchRejected
from yizhou.database import Database
from yizhou.errors import Conflict, Invalid, RuleViolated, TransitionNotAllowed


async def follow_demand(session: AsyncSession, event_type: str, *, demand_id: str, area_code: str, area_path: str,
                        category: str, state: str, occurred_at: datetime | None, priority_household: str | None,
                        urgency: str | None, merged_into: str | None, now: datetime) -> None:
    """The demand list's row of a demand (`demand_copy`), from one of demand-intake's demand events: the
    projection follows its state; a submission also sets when it was submitted."""
    values: dict[str, Any] = {"area_code": area_code, "area_path": area_path, "category": category, "state": state,
                              "updated_at": now}
    if priority_household is not None or event_type == "demand.submitted":
        values["priority_household"] = priority_household
    if urgency is not None:
        values["urgency"] = urgency
    if merged_into is not None:
        values["merged_into"] = merged_into
    await store.keep_demand_facts(session, demand_id, values,
                                  submitted_at=occurred_at if event_type == "demand.submitted" else None)


async def _resources_for(session, area_path: str) -> list[Resource]:
    """Active resources in the area's subtree and those of the areas above that serve down into it."""
    repo = ResourceRepository(session)
    found = await repo.list(under_path=area_path, limit=10**9)
    codes = area_path.strip("/").split("/")
    for depth in range(1, len(codes)):
        ancestor = "/" + "/".join(codes[:depth]) + "/"
        found += [r for r in await repo.list(under_path=ancestor, limit=10**9) if r.area_path == ancestor]
    return [r for r in found if r.matchable and area_path.startswith(r.serves_path) or
            r.matchable and r.serves_path.startswith(area_path)]


def _need(row, point, period: Window) -> Need:
    x, y = to_plane(*point)
    return Need(id=row.demand_id, category=row.category, x_m=x, y_m=y, area_path=row.area_path,
                household=row.priority_household, window=period)


async def _instance(session, area_path: str, period: Window) -> tuple[list[Need], list, list, int]:
    """What a round of the area and period works on: (needs, offers, the demand rows considered, demands
    without a known place). Demands with an accepted match in the period and resources with no place
    left in it are out."""
    places = await PlaceRepository(session).all()
    taken = await store.accepted_demands(session, period.starts_at, period.ends_at)
    load = await store.accepted_load(session, period.starts_at, period.ends_at)
    demand_rows = [d for d in await store.open_demands(session, area_path) if d.demand_id not in taken]
    needs, unlocated = [], 0
    for row in demand_rows:
        point = point_of(row.area_path, places)
        if point is None:
            unlocated += 1
        else:
            needs.append(_need(row, point, period))
    offers = []
    for r in await _resources_for(session, area_path):
        point = (r.latitude, r.longitude) if r.latitude is not None else point_of(r.area_path, places)
        room = r.capacity - load.get(r.id, 0)
        if point is None or room <= 0:
            continue
        offer = r.offer(point, room, period)
        if offer.capacity <= 0:  # none of its availability windows falls in the period
            continue
        offers.append(offer)
    return needs, offers, demand_rows, unlocated


async def run_round(db: Database, scope: AreaScope, *, area_code: str, period: Window, max_distance_m: int,
                    weights: PriorityWeights) -> tuple[Any, int]:
    require_role(scope, STAFF_ROLES, "run matching rounds")
    if period.ends_at <= period.starts_at:
        raise Invalid("The period must end after it starts.",
                      errors=[{"field": "period_end", "message": "not after period_start"}])
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        session = uow.session
        area = await area_in_scope(session, scope, area_code)
        rules = MatchRules(max_distance_m=max_distance_m, weights=weights,
                           rejected=await store.rejected_pairs(session, area.path))
        needs, offers, demand_rows, unlocated = await _instance(session, area.path, period)
        try:
            engine = MatchingEngine(rules)
            result = engine.solve(needs, offers)
        except InstanceTooLarge as refused:
            raise RuleViolated(f"Too large for one round: {refused}; run it for a smaller area.") from None
        round_id = str(uuid.uuid4())
        expired = await store.expire_proposals(session, area.path, period.starts_at, period.ends_at, {
            "decision_note": f"Superseded by round {round_id}.", "decided_by": scope.caller.subject, "decided_at": now})
        demand_by_id = {d.demand_id: d for d in demand_rows}
        rows = []
        for m in result.matches:
            d = demand_by_id[m.need_id]
            rows.append({"id": str(uuid.uuid4()), "round_id": round_id, "demand_id": m.need_id,
                         "resource_id": m.offer_id, "area_code": d.area_code, "area_path": d.area_path,
                         "category": d.category, "distance_m": m.distance_m, "state": "proposed",
                         "explanation": engine.explain(m.need_id).as_dict(), "period_start": period.starts_at,
                         "period_end": period.ends_at, "created_at": now})
        stats = {"demands_considered": len(demand_rows), "demands_unlocated": unlocated, "proposals_expired": expired,
                 "resources_considered": len(offers), "proposed": result.served, "unserved": len(result.unserved),
                 "served_weight": result.served_weight, "total_distance_m": result.total_distance_m,
                 "km_per_served": round(result.km_per_served, 3),
                 "unserved_reasons": {u: engine.explain(u).summary for u in result.unserved[:50]}}
        values = {"id": round_id, "area_code": area.code, "area_path": area.path, "period_start": period.starts_at,
                  "period_end": period.ends_at, "rules": {"max_distance_m": max_distance_m,
                                                          "weights": weights.__dict__},
                  "stats": stats, "created_by": scope.caller.subject, "created_at": now}
        await store.add_round(session, values, rows)
        for row in rows:
            record(uow, _match_event(MatchProposed, row), row["id"])
        await uow.commit()
    _keep_live(round_id, engine)
    return values, len(rows)


# --- live placement (issue 25): an arrival gets a proposal in the current round, without a new round ---

# The engine of each recently placed round, kept by this process, so that the next arrival costs one
# incremental search. Whatever else changed in the round's instance meanwhile (a decision, a withdrawal,
# an arrival placed by another process) shows as a different instance and costs one full solve instead.
_LIVE: dict[str, MatchingEngine] = {}
LIVE_ENGINES = 8
LIVE_PLACER = "live-placement"


def _keep_live(round_id: str, engine: MatchingEngine) -> None:
    _LIVE.pop(round_id, None)
    _LIVE[round_id] = engine
    while len(_LIVE) > LIVE_ENGINES:
        _LIVE.pop(next(iter(_LIVE)))


def _engine_for(round_id: str, rules: MatchRules, needs: list[Need], offers: list) -> tuple[MatchingEngine, str]:
    """The round's engine brought to this instance: the kept one plus incremental arrivals when the instance
    only grew since, else a full solve. Returns the engine and how it got there."""
    engine = _LIVE.get(round_id)
    if engine is not None and engine.rules == rules:
        known_needs, known_offers = set(engine.needs), set(engine.offers)
        new_needs = [n for n in needs if n not in known_needs]
        new_offers = [o for o in offers if o not in known_offers]
        if len(needs) - len(new_needs) == len(known_needs) and len(offers) - len(new_offers) == len(known_offers):
            for need in new_needs:
                engine.add_need(need)
            for offer in new_offers:
                engine.add_offer(offer)
            return engine, f"incremental ({len(new_needs)} need(s), {len(new_offers)} offer(s) added)"
    engine = MatchingEngine(rules)
    engine.solve(needs, offers)
    return engine, "full solve (the round's instance changed otherwise)" if round_id in _LIVE else "full solve"


def _holds(round_row, area_path: str, serves_path: str | None) -> bool:
    """Whether an arrival at `area_path` belongs to the round's instance: a demand inside its area; a
    resource inside it, or above it and serving down into it (as `_resources_for` reads them)."""
    if area_path.startswith(round_row.area_path):
        return True
    return serves_path is not None and round_row.area_path.startswith(area_path) and \
        round_row.area_path.startswith(serves_path)


async def place_arrival(session: AsyncSession, work, *, area_path: str, serves_path: str | None = None,
                        what: str, now: datetime) -> str:
    """Places what just arrived (a demand at `area_path`, or a resource there serving `serves_path`) in the
    newest current round (period not over) whose instance holds it: the round's instance is read again,
    the engine reaches its optimum (one incremental search when only the arrival is new), and the
    round's undecided proposals follow the optimum: moved ones expire, new ones are proposed and
    published. Accepted, rejected and expired proposals are never touched. Returns what happened, in
    words, for the log: also why nothing was placed."""
    rounds = [r for r in await store.list_rounds(session, "/", None, 10**9)
              if _as_utc(r.period_end) > now and _holds(r, area_path, serves_path)]
    if not rounds:
        return f"{what}: no current matching round holds {area_path}; the next round will consider it"
    current = max(rounds, key=lambda r: (_as_utc(r.created_at), r.id))
    period = Window(_as_utc(current.period_start), _as_utc(current.period_end))
    rules = MatchRules(max_distance_m=current.rules["max_distance_m"],
                       weights=PriorityWeights(**current.rules["weights"]),
                       rejected=await store.rejected_pairs(session, current.area_path))
    needs, offers, demand_rows, _ = await _instance(session, current.area_path, period)
    try:
        engine, how = _engine_for(current.id, rules, needs, offers)
    except InstanceTooLarge as refused:
        return f"{what}: round {current.id} is too large to place into ({refused}); run a round for a smaller area"
    except (InvalidMatchInput, SolverFailure) as refused:  # the demand list must still follow the event
        return f"{what}: not placed into round {current.id} ({refused}); the next round will consider it"
    _keep_live(current.id, engine)
    proposed = {r.demand_id: r for r in await store.list_matches(
        session, round_id=current.id, under_path="/", state="proposed", after=None, limit=10**9)}
    wanted = {m.need_id: m for m in engine.result().matches}
    expired = 0
    for demand_id, row in proposed.items():
        if demand_id not in wanted or wanted[demand_id].offer_id != row.resource_id:
            expired += await store.decide_match(session, row.id, {
                "state": "expired", "decision_note": f"Moved by the live placement of {what}.",
                "decided_by": LIVE_PLACER, "decided_at": now})
    demand_by_id = {d.demand_id: d for d in demand_rows}
    rows = []
    for demand_id, m in wanted.items():
        if demand_id in proposed and proposed[demand_id].resource_id == m.offer_id:
            continue
        d = demand_by_id[demand_id]
        rows.append({"id": str(uuid.uuid4()), "round_id": current.id, "demand_id": demand_id,
                     "resource_id": m.offer_id, "area_code": d.area_code, "area_path": d.area_path,
                     "category": d.category, "distance_m": m.distance_m, "state": "proposed",
                     "explanation": engine.explain(demand_id).as_dict(), "period_start": period.starts_at,
                     "period_end": period.ends_at, "created_at": now})
    if rows:
        await session.execute(matches.insert(), rows)
    for row in rows:
        record(work, _match_event(MatchProposed, row), row["id"])
    return (f"{what}: round {current.id}, {how}: {len(rows)} proposal(s) made, {expired} moved proposal(s) "
            "expired")


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def _match_event(cls, row, **extra):
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return cls(match_id=get("id"), round_id=get("round_id"), demand_id=get("demand_id"),
               resource_id=get("resource_id"), area_code=get("area_code"), area_path=get("area_path"),
               category=get("category"), distance_m=get("distance_m"), **extra)


async def get_round(db: Database, scope: AreaScope, round_id: str):
    async with db.sessions() as session:
        row = await store.get_round(session, round_id)
    if row is None or not scope.covers(row.area_path):
        raise not_found("matching round", round_id)
    return row


async def list_rounds(db, scope, after, limit):
    async with db.sessions() as session:
        return await store.list_rounds(session, scope.path, after, limit)


async def list_matches(db, scope, *, round_id, state, after, limit):
    if round_id:
        await get_round(db, scope, round_id)
    async with db.sessions() as session:
        return await store.list_matches(session, round_id=round_id, under_path=scope.path, state=state, after=after,
                                        limit=limit)


async def decide(db: Database, scope: AreaScope, match_id: str, accept: bool, note: str | None):
    require_role(scope, STAFF_ROLES, "accept or reject matches")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        session = uow.session
        row = await store.get_match(session, match_id)
        if row is None or not scope.covers(row.area_path):
            raise not_found("match", match_id)
        if row.state == "expired":
            raise TransitionNotAllowed(f"The proposal expired: a later round for its area and period superseded it "
                                       f"({row.decision_note}); decide on that round's proposals.",
                                       current_state=row.state, requested_state="accepted" if accept else "rejected",
                                       allowed_states=[])
        if row.state != "proposed":
            raise TransitionNotAllowed(f"The match is already {row.state}.", current_state=row.state,
                          requested_state="accepted" if accept else "rejected", allowed_states=[])
        if accept:
            resource = await ResourceRepository(session).get(row.resource_id)
            load = await store.accepted_load(session, row.period_start, row.period_end)
            if resource is None or not resource.matchable or load.get(row.resource_id, 0) >= resource.capacity:
                raise Conflict("The resource has no place left in the period (or was withdrawn); "
                                          "run a new round.")
            if row.demand_id in await store.accepted_demands(session, row.period_start, row.period_end):
                raise Conflict("The demand already has an accepted match in the period.")
        state = "accepted" if accept else "rejected"
        if not await store.decide_match(session, match_id, {"state": state, "decision_note": note,
                                                           "decided_by": scope.caller.subject, "decided_at": now}):
            raise Conflict("The match was decided meanwhile.")
        if accept:
            # The provider rides on the event so demand-intake assigns the demand to it in the same step.
            event = _match_event(MatchAccepted, row, provider_kind=resource.provider_kind,
                                 provider_id=resource.provider_id)
        else:
            event = _match_event(MatchRejected, row)
        record(uow, event, row.id)
        await uow.commit()
        return await store.get_match(session, match_id)


async def candidates(db: Database, scope: AreaScope, demand_id: str, k: int, max_distance_m: int):
    """Top-k resources with room for one demand, nearest first, each with its distance."""
    async with db.sessions() as session:
        row = await store.demand(session, demand_id)
        if row is None or not scope.covers(row.area_path):
            raise not_found("demand", demand_id)
        places = await PlaceRepository(session).all()
        point = point_of(row.area_path, places)
        if point is None:
            raise NoLocation(f"No place is known for area '{row.area_code}' or the areas above it.")
        subdistrict = "/" + "/".join(row.area_path.strip("/").split("/")[:2]) + "/"
        resources = [r for r in await _resources_for(session, subdistrict) if row.area_path.startswith(r.serves_path)]
        rules = MatchRules(max_distance_m=max_distance_m)
        offers, kept = [], []
        for r in resources:
            p = (r.latitude, r.longitude) if r.latitude is not None else point_of(r.area_path, places)
            if p is not None:
                offers.append(r.offer(p, r.capacity))
                kept.append(r)
        index = CellIndex(rules.max_distance_m)
        for j, o in enumerate(offers):
            index.add(j, offer_keys(o), o.x_m, o.y_m)
        need = _need(row, point, Window(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)))
        return [(kept[j], d) for j, d in top_candidates(need, offers, index, rules, k)]


async def clusters(db: Database, scope: AreaScope, area_code: str | None, min_size: int) -> list[dict[str, Any]]:
    """Open demands grouped by category and community (or their own area above community level)."""
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        rows = await store.open_demands(session, path)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        codes = r.area_path.strip("/").split("/")
        groups[(r.category, codes[min(2, len(codes) - 1)])].append(r)
    out = []
    for (category, code), members in sorted(groups.items()):
        if len(members) < min_size:
            continue
        out.append({"cluster_id": f"{category}@{code}", "category": category, "area_code": code,
                    "size": len(members), "demand_ids": [m.demand_id for m in members],
                    "priority_households": sum(1 for m in members if m.priority_household)})
    return sorted(out, key=lambda c: (-c["size"], c["cluster_id"]))
