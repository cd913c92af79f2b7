"""Submitting demands (with their duplicate candidates), moving them through the state
machine with their deadline clocks, merging duplicates and counting "me too"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


from demand_intake.domain import deadlines as rules
from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind, budget_for, clock_effects
from demand_intake.domain.demand import (
    RESIDENT_CHANNELS, Channel, Demand, Feedback, PriorityHousehold, Resident, State, Urgency, people_joining,
)
from demand_intake.domain.duplicates import Candidate, DuplicateRules, Match, Place, find_duplicates
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.settings import Settings
from demand_intake.store.deadlines import DeadlineRepository
from demand_intake.store.demands import DemandRepository
from demand_intake.store.unit_copy import unit_names
from demand_intake.use_cases.access import (RESIDENT_WORD, SUBMITTERS, Actor, assignable_unit, check_category,
                                            new_id, joinable_demand, records_resident_word, require_handler,
                                            rule_problem, scrub, visible_demand)
from demand_intake.use_cases.errors import DemandRuleBroken
from demand_intake.use_cases.publishing import EVENT_OF_STATE, Work, record_demand
from yizhou.contracts.demands import DemandMerged, DemandOverdue, DemandSubmitted, DemandSupported
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import AreaInfo, area_info
from yizhou.clock import Clock
from yizhou.database import Database
from yizhou.errors import AreaRetired, Forbidden, NotFound, UnknownReference
from yizhou.personal_data import STAFF_ROLES, mask_coordinate, sees_personal_data
from yizhou.state_machine import IllegalTransition


@dataclass(frozen=True)
class Submission:
    channel: Channel
    category: str
    urgency: Urgency
    description: str
    area_code: str
    resident: Resident
    priority_household: PriorityHousehold | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


def duplicate_rules(settings: Settings) -> DuplicateRules:
    return DuplicateRules(settings.duplicate_distance_m, settings.duplicate_min_score,
                          timedelta(days=settings.duplicate_window_days))


def _community_path(path: str) -> str:
    """The community (or the area itself above it) whose open demands are duplicate candidates."""
    codes = path.strip("/").split("/")
    return "/" + "/".join(codes[:3]) + "/"


async def _place(session, scope: AreaScope, area_code: str):
    area = await area_info(session, area_code)
    if area is None or not scope.covers(area.path):
        raise UnknownReference(f"No area '{area_code}' in your scope.",
                      errors=[{"field": "area_code", "message": "unknown area"}])
    if area.retired:
        raise AreaRetired(f"Area '{area_code}' is retired; file the demand under its successor.")
    return area


@dataclass(frozen=True)
class Offered:
    """An open demand offered as a probable duplicate, as the caller may be told of it. `match` (text
    score, same area, distance) only for callers who see the demand's details (staff whose area covers
    it); anyone else learns only that it is open, similar, and can be joined ("me too")."""

    demand_id: str
    match: Match | None


def _as_published(c: Candidate) -> Candidate:
    """A candidate as a caller without the right to its personal data reads it: phone and ID numbers in
    the text hidden, the point rounded. Matching on this, and not on the stored demand, is what keeps
    the answer from being an oracle on the hidden digits or the exact point (probing which guesses
    match, or where the 300 m circle ends)."""
    place = c.place._replace(latitude=mask_coordinate(c.place.latitude), longitude=mask_coordinate(c.place.longitude))
    return c._replace(place=place, description=scrub(c.description))


async def find_candidates(session, scope: AreaScope, clock: Clock, settings: Settings, sub: Submission,
                          exclude_id: str | None = None) -> list[Offered]:
    check_category(sub.category)
    area = await _place(session, scope, sub.area_code)
    return await _matches(session, scope, area, clock.now(), settings, sub, exclude_id)


async def _matches(session, scope: AreaScope, area: AreaInfo, now, settings: Settings, sub: Submission,
                   exclude_id: str | None = None) -> list[Offered]:
    """The open demands `sub` probably duplicates: in the community of its (already checked) area, and
    among those only the ones the caller may read (`visible_demand`'s rule, the list's query: the
    caller's subtree). The caller's area covers `sub`'s, so of the two paths (both prefixes of the
    area's) the longer is the subtree both cover."""
    dup = duplicate_rules(settings)
    under = max(_community_path(area.path), scope.path, key=len)
    candidates = await DemandRepository(session).duplicate_candidates(under, now - dup.window, exclude_id)
    # Staff see the personal data of every demand their area covers, so of every candidate here; others
    # (residents, party members) see it of none but their own, and are matched on what they may read.
    sees = scope.caller.role in STAFF_ROLES
    if not sees:
        candidates = [_as_published(c) for c in candidates]
    matches = find_duplicates(Place(sub.area_code, sub.latitude, sub.longitude), sub.description, sub.category, now,
                              candidates, dup)
    return [Offered(m.demand_id, m if sees else None) for m in matches]


async def check_duplicates(db: Database, scope: AreaScope, clock: Clock, settings: Settings, sub: Submission) -> list[Offered]:
    require_role(scope, SUBMITTERS, "submit demands")
    async with db.sessions() as session:
        return await find_candidates(session, scope, clock, settings, sub)


async def duplicates_of(db: Database, scope: AreaScope, clock: Clock, settings: Settings, demand_id: str) -> list[Offered]:
    """The open demands a (readable) demand probably duplicates. It is compared as the caller reads it:
    one who may not see its personal data gets no answer that depends on its hidden digits or point."""
    async with db.sessions() as session:
        demand = await visible_demand(DemandRepository(session), scope, demand_id)
        description, lat, lon = demand.description, demand.latitude, demand.longitude
        if not sees_personal_data(scope, demand.area_path, owner_subject=demand.resident_subject):
            published = _as_published(Candidate(demand.id, Place(demand.area_code, lat, lon), description,
                                                 demand.category, demand.submitted_at))
            description, lat, lon = published.description, published.place.latitude, published.place.longitude
        sub = Submission(channel=demand.channel, category=demand.category, urgency=demand.urgency,
                         description=description, area_code=demand.area_code, resident=demand.resident,
                         latitude=lat, longitude=lon)
        return await find_candidates(session, scope, clock, settings, sub, exclude_id=demand.id)


@dataclass(frozen=True)
class Submitted:
    demand: Demand
    possible_duplicates: list[Offered]


async def submit(db: Database, scope: AreaScope, clock: Clock, settings: Settings, sub: Submission) -> Submitted:
    """Files a new demand with its deadlines and its `demand.submitted` event, and names the open
    demands it may duplicate. A client's retry with an Idempotency-Key is the API's business
    (`yizhou.idempotent_writes`): it holds this unit of work's commit until the answer is stored."""
    require_role(scope, SUBMITTERS, "submit demands")
    resident_subject = None
    if scope.caller.role == Role.RESIDENT:
        if sub.channel not in RESIDENT_CHANNELS:
            raise DemandRuleBroken(f"Residents submit through {sorted(c.value for c in RESIDENT_CHANNELS)}; "
                                   f"'{sub.channel.value}' is entered by staff or members.")
        resident_subject = scope.caller.subject
    async with db.unit_of_work() as uow:
        # Reads first (the area once, then the duplicate candidates), everything else in memory,
        # then the writes back to back: on SQLite the write lock is held from the first insert
        # to the commit, so no query and no Python work sits between them.
        area = await _place(uow.session, scope, sub.area_code)
        check_category(sub.category)
        now = clock.now()
        matches = await _matches(uow.session, scope, area, now, settings, sub)
        demand = Demand(
            id=new_id(), channel=sub.channel, category=sub.category, urgency=sub.urgency,
            description=sub.description, area_code=area.code, area_path=area.path, area_level=area.level,
            resident=sub.resident, entered_by=scope.caller.subject, entered_by_role=scope.caller.role.value,
            submitted_at=now, updated_at=now, resident_subject=resident_subject,
            priority_household=sub.priority_household, latitude=sub.latitude, longitude=sub.longitude,
            address=sub.address)
        budget = budget_for(sub.category, sub.urgency, overrides=settings.deadlines, start=now,
                            calendar=settings.district_calendar, zone=settings.district_zone)
        record_demand(uow, DemandSubmitted, demand, now, channel=sub.channel.value, urgency=sub.urgency.value,
                      priority_household=sub.priority_household.value if sub.priority_household else None,
                      anonymous=sub.resident.anonymous, entered_on_behalf=demand.entered_on_behalf,
                      respond_due_at=now + budget.respond, resolve_due_at=now + budget.resolve)
        repo = DemandRepository(uow.session)
        await repo.add(demand)
        await DeadlineRepository(uow.session).add(
            demand.id, DeadlineClock.start(DeadlineKind.RESPOND, budget.respond, now),
            DeadlineClock.start(DeadlineKind.RESOLVE, budget.resolve, now))
        await repo.log(demand.id, "submit", None, State.SUBMITTED, scope.caller.subject, scope.caller.role.value,
                       f"channel {sub.channel.value}", now)
        await uow.commit()
    return Submitted(demand, matches)


async def get(db: Database, scope: AreaScope, demand_id: str) -> Demand:
    async with db.sessions() as session:
        return await visible_demand(DemandRepository(session), scope, demand_id)


@dataclass(frozen=True)
class Standing:
    """What a screen shows of a demand beside the demand itself: when its response and resolution are
    due, which deadlines it missed, and its registered unit's current name."""

    respond_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    breached: tuple[str, ...] = ()
    assignee_unit_name: str | None = None


def standing_of(clocks: list[DeadlineClock], now: datetime, unit_name: str | None = None) -> Standing:
    due = {c.kind: c.due_at for c in clocks if not c.dispatch_id}
    # Marked by the sweeper, or past due and not yet swept (it runs every few seconds): missed either way.
    missed = {c.kind for c in clocks if c.breached_at is not None or c.is_breached(now)}
    return Standing(due.get(DeadlineKind.RESPOND), due.get(DeadlineKind.RESOLVE),
                    tuple(k.value for k in DeadlineKind if k in missed), unit_name)


async def standings(session, demands: list[Demand], now: datetime) -> dict[str, Standing]:
    """The standing of a page of demands: two queries whatever its size (their clocks, their units' names)."""
    clocks = await DeadlineRepository(session).of_many([d.id for d in demands])
    names = await unit_names(session, {d.assignee_unit_id for d in demands if d.assignee_unit_id})
    return {d.id: standing_of(clocks.get(d.id, []), now, names.get(d.assignee_unit_id)) for d in demands}


async def details(db: Database, scope: AreaScope, clock: Clock, demand_id: str):
    async with db.sessions() as session:
        repo = DemandRepository(session)
        demand = await visible_demand(repo, scope, demand_id)
        clocks = await DeadlineRepository(session).of(demand_id)
        names = await unit_names(session, {demand.assignee_unit_id} - {None})
        return demand, standing_of(clocks, clock.now(), names.get(demand.assignee_unit_id)), \
            await repo.history(demand_id), clocks, await repo.dispatches(demand_id)


async def _listed(session, scope: AreaScope, *, under: str | None, mine: bool, limit: int, **filters) -> list[Demand]:
    if scope.caller.role == Role.PARTNER:
        raise Forbidden("Partners follow demands on the partner event stream.")
    path = scope.path
    if under is not None:
        area = await area_info(session, under)
        if area is None or not scope.covers(area.path):
            raise NotFound(f"No area '{under}' in your scope.")
        path = area.path
    # A resident lists only their own demands, whatever `mine` says (as visible_demand reads them).
    own = mine or scope.caller.role == Role.RESIDENT
    return await DemandRepository(session).list(
        under_path=path, resident_subject=scope.caller.subject if own else None, limit=limit, **filters)


async def list_demands(db: Database, scope: AreaScope, *, under: str | None, mine: bool, limit: int, **filters) -> list[Demand]:
    async with db.sessions() as session:
        return await _listed(session, scope, under=under, mine=mine, limit=limit, **filters)


async def list_page(db: Database, scope: AreaScope, clock: Clock, *, under: str | None, mine: bool, limit: int,
                    **filters) -> list[tuple[Demand, Standing]]:
    """A page of the demand list, each with its standing (three queries for the page)."""
    async with db.sessions() as session:
        demands = await _listed(session, scope, under=under, mine=mine, limit=limit, **filters)
        page = await standings(session, demands, clock.now())
    return [(d, page[d.id]) for d in demands]


async def apply_state(work: Work, demand: Demand, previous: State, now, actor: Actor, *, note: str | None = None,
                      event_extra: dict[str, Any] | None = None, action: str | None = None) -> None:
    """After the domain moved `demand` (from `previous`): clocks, store, history and the event."""
    await apply_clocks(work, demand, demand.state, now, previous)
    repo = DemandRepository(work.session)
    await repo.save(demand)
    await repo.log(demand.id, action or demand.state.value, previous, demand.state, actor.subject, actor.role, note, now)
    record_demand(work, EVENT_OF_STATE[demand.state], demand, now, **(event_extra or {}))


async def apply_clocks(work: Work, demand: Demand, target: State, now, previous: State | None = None) -> None:
    repo = DeadlineRepository(work.session)
    effects = clock_effects(target)
    for clock in await repo.of(demand.id):
        effect = effects.get(clock.kind)
        if effect is None:
            continue
        if clock.is_breached(now) and await repo.mark_breached_clock(demand.id, clock, now):
            # Past due before the sweeper saw it (it runs every few seconds; or the service was down):
            # the breach is announced now, once, before the change that stops the clock.
            record_overdue(work, demand, clock, now, previous or demand.state)
        rules.apply_effect(clock, effect, now)
        await repo.save(demand.id, clock)


def record_overdue(work: Work, demand: Demand, clock: DeadlineClock, now, state: State) -> None:
    record_demand(work, DemandOverdue, demand, now, state=state, deadline=clock.kind.value, due_at=clock.due_at,
                  dispatch_id=clock.dispatch_id or None, accountable_area_code=demand.accountable_area_code)


async def change_state(db: Database, scope: AreaScope, clock: Clock, settings: Settings, demand_id: str,
                       target: State, *, note: str | None = None, assignee: str | None = None, unit_id: str | None = None,
                       complex_case: bool = False, feedback: Feedback | None = None,
                       contact_attempted: bool = False) -> Demand:
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await visible_demand(repo, scope, demand_id)
        owner = scope.caller.role == Role.RESIDENT and demand.resident_subject == scope.caller.subject
        if target == State.WITHDRAWN and owner:
            pass  # the resident who submitted it may withdraw it
        elif target == State.CLOSED and owner and feedback is not None:
            pass  # ... and give their own feedback, which closes or reopens it
        elif target in RESIDENT_WORD and records_resident_word(scope, demand):
            pass  # the area it was filed in records what the resident says, wherever it is handled now
        else:
            handling = await area_info(uow.session, demand.handling_area_code)
            require_handler(scope, demand, handling.path if handling else None)
        now = clock.now()
        previous = demand.state
        extra: dict[str, Any] = {}
        action = None
        try:
            if target == State.ACCEPTED:
                demand.accept(scope.caller.subject, scope.caller.area, now, complex_case=complex_case)
                extra = {"accountable_area_code": demand.accountable_area_code, "complex": demand.complex}
                if complex_case:
                    extra["resolve_due_at"] = await _stretch_resolve(uow, demand, settings, now)
            elif target == State.ASSIGNED:
                unit = await assignable_unit(uow.session, scope, unit_id, demand.area_path) if unit_id else None
                demand.assign(assignee or (unit.name if unit else ""), now, unit_id=unit_id)
                extra = {"assignee": demand.assignee, "assignee_unit_id": demand.assignee_unit_id}
            elif target == State.CLOSED:
                reached = demand.close(now, feedback=feedback, contact_attempted=contact_attempted)
                action = "close"
                extra = {"feedback": feedback.value if feedback else None,
                         "feedback_by": ("resident" if owner else "staff") if feedback else None}
                if reached == State.CLOSED:
                    extra["contact_attempted"] = contact_attempted
            else:
                demand.move_to(target, now)
        except (IllegalTransition, DemandRuleViolation) as exc:
            raise rule_problem(exc) from None
        await apply_state(uow, demand, previous, now, Actor.of(scope), note=note, event_extra=extra, action=action)
        await uow.commit()
    return demand


async def _stretch_resolve(work: Work, demand: Demand, settings: Settings, now):
    """A case accepted as complex gets the complex resolve budget (from submission, not from now)."""
    budget = budget_for(demand.category, demand.urgency, complex_case=True, overrides=settings.deadlines,
                        start=demand.submitted_at, calendar=settings.district_calendar, zone=settings.district_zone)
    repo = DeadlineRepository(work.session)
    for clock in await repo.of(demand.id):
        if clock.kind == DeadlineKind.RESOLVE and clock.breached_at is None:
            clock.budget_s = max(clock.budget_s, int(budget.resolve.total_seconds()))
            await repo.save(demand.id, clock)
            return clock.due_at
    return None


async def merge(db: Database, scope: AreaScope, clock: Clock, demand_id: str, into_id: str) -> tuple[Demand, Demand]:
    require_role(scope, STAFF_ROLES, "merge demands")
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        source = await visible_demand(repo, scope, demand_id)
        target = await visible_demand(repo, scope, into_id)
        now = clock.now()
        previous = source.state
        new_voices, unnamed = people_joining(source, await repo.me_too_subjects(source.id), target,
                                             await repo.me_too_subjects(target.id))
        try:
            source.merge_into(target, now, joining=len(new_voices) + unnamed)
        except (IllegalTransition, DemandRuleViolation) as exc:
            raise rule_problem(exc) from None
        await apply_clocks(uow, source, State.MERGED, now, previous)
        await repo.save(source)
        await repo.save(target)
        # Marked on the demand that goes on, so a later "me too" there by the same person is not a second voice.
        await repo.add_me_too_many(target.id, new_voices, now)
        await repo.log(source.id, "merge", previous, State.MERGED, scope.caller.subject,
                       scope.caller.role.value, f"merged into {target.id}", now)
        await repo.log(target.id, "absorb", target.state, target.state, scope.caller.subject, scope.caller.role.value,
                       f"absorbed {source.id}", now)
        record_demand(uow, DemandMerged, source, now, merged_into_demand_id=target.id)
        record_demand(uow, DemandSupported, target, now, me_too_count=target.me_too_count)
        await uow.commit()
    return source, target


async def me_too(db: Database, scope: AreaScope, clock: Clock, demand_id: str) -> tuple[Demand, bool]:
    """A resident (or anyone on the platform) adds their voice; each person counts once."""
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await joinable_demand(repo, scope, demand_id)
        if not demand.is_open or demand.state == State.RESOLVED:
            raise DemandRuleBroken(f"Demand {demand_id} is {demand.state.value}; 'me too' counts on open demands.")
        if demand.resident_subject == scope.caller.subject:
            raise DemandRuleBroken("You submitted this demand yourself; it already counts you.")
        now = clock.now()
        if not await repo.add_me_too(demand.id, scope.caller.subject, now):
            return demand, False
        demand.me_too_count += 1
        demand.updated_at = now
        await repo.save(demand)
        record_demand(uow, DemandSupported, demand, now, me_too_count=demand.me_too_count)
        await uow.commit()
    return demand, True
