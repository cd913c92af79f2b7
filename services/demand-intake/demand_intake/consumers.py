"""Events demand-intake reads: the area axis (its read copy), its OWN demand events (the rates read
model, fed through the broker so a rebuild from the topic gives the same numbers), org-registry's
units (the units a demand can be assigned to by id), and project-matching's project events
(approved projects start linked demands, completed ones resolve them) and accepted matches (the demand
is assigned to the resource's provider unit).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from functools import partial

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.demand import State
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.domain.facts import CellKey, DemandFact, cell_of
from demand_intake.domain.rates import Counts, rollup_path
from demand_intake.store.demands import DemandRepository
from demand_intake.store.facts import FactRepository
from demand_intake.store.rate_cells import RateCells
from demand_intake.store.tables import DemandFactRow, DemandRow, MeetingRow, RateCellRow
from demand_intake.store.unit_copy import UNITS, keep_unit
from demand_intake.use_cases.access import SYSTEM
from demand_intake.use_cases.demands import apply_state
from demand_intake.use_cases.match_assignment import assign_by_match
from yizhou.axis_copy import AXIS_COPY_SUBSCRIPTIONS, FollowMoves, area_copy, paths_of
from yizhou.axis_events import AREAS_TOPIC, AreaMoved
from yizhou.clock import Clock, SystemClock
from yizhou.consumer import Subscription, UnprocessableEvent
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.contracts.matches import MATCHES_TOPIC, MatchAccepted
from yizhou.contracts.units import UNITS_TOPIC
from yizhou.database import SessionWork
from yizhou.district_clock import DEFAULT_ZONE
from yizhou.district_settings import DistrictSettings
from yizhou.envelope import ReceivedEvent
from yizhou.events import topic_name
from yizhou.state_machine import IllegalTransition

log = logging.getLogger(__name__)
PROJECTS_TOPIC = topic_name("projects")


# --- the axis: the shared read copy, plus our own rows' paths when an area moves -------------

_follow_moves = FollowMoves([DemandRow.area_path, DemandFactRow.area_path, MeetingRow.area_path])


async def on_area_moved(session: AsyncSession, event: ReceivedEvent, zone: tzinfo = DEFAULT_ZONE) -> None:
    await _follow_moves(session, event)
    data = AreaMoved.model_validate(event.data)
    # Cells sum whole communities: a grid moving between communities splits them, so the cells of the
    # old and new places are summed again from the (moved) facts.
    await RateCells(session, zone).recompute({rollup_path(data.old_path), rollup_path(data.new_path)})


# --- the rates read model, from our own demand events -----------------------------------------

class FactEvent(BaseModel):
    """Tolerant reader of any demand event: the contract fields plus what the facts use."""

    model_config = ConfigDict(extra="ignore")

    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str
    occurred_at: datetime
    channel: str | None = None
    urgency: str | None = None
    assignee: str | None = None
    assignee_unit_id: str | None = None
    accountable_area_code: str | None = None
    deadline: str | None = None
    feedback: str | None = None
    feedback_by: str | None = None
    imported: bool = False
    me_too_count: int | None = None
    resolved: bool | None = None        # demand.called_back: the answers and who gave them
    satisfaction: str | None = None
    source: str | None = None


async def on_demand_events(session: AsyncSession, events: list[ReceivedEvent], zone: tzinfo = DEFAULT_ZONE) -> None:
    """Folds a run of demand events into the facts (one query for the facts they touch, one for the
    areas of new ones, one write) and adds each touched demand's change of contribution to its rate
    cell (months on the district's clock, `zone`)."""
    changes = [(event.type, FactEvent.model_validate(event.data)) for event in events]
    facts = FactRepository(session)
    known = await facts.get_many({data.demand_id for _, data in changes})
    before = {demand_id: cell_of(fact, zone) for demand_id, fact in known.items()}
    # The axis copy's current path, not the one at submission: an area moved since then (whose move a
    # rebuild would not replay onto the facts) still counts where it is now.
    paths = await paths_of(session, {data.area_code for kind, data in changes
                                     if kind == "demand.submitted" and data.demand_id not in known})
    for kind, data in changes:
        fold(known, kind, data, paths)
    touched = list(dict.fromkeys(data.demand_id for _, data in changes))
    await facts.save_many([known[demand_id] for demand_id in touched])
    await RateCells(session).add(standing_changes(known, before, touched, zone))


def fold(known: dict[str, DemandFact], kind: str, data: FactEvent, paths: dict[str, str]) -> None:
    """One demand event into the facts known so far (`paths`: current area paths by code)."""
    fact = known.get(data.demand_id)
    if fact is not None:
        fact.apply(kind, data.state, data.occurred_at, assignee=data.assignee,
                   assignee_unit_id=data.assignee_unit_id, deadline=data.deadline,
                   accountable_area_code=data.accountable_area_code, feedback=data.feedback,
                   feedback_by=data.feedback_by, me_too_count=data.me_too_count, resolved=data.resolved,
                   satisfaction=data.satisfaction, source=data.source)
    elif kind == "demand.submitted":
        known[data.demand_id] = DemandFact(
            demand_id=data.demand_id, area_code=data.area_code, area_path=paths.get(data.area_code) or data.area_path,
            category=data.category, channel=data.channel, urgency=data.urgency, state=data.state,
            submitted_at=data.occurred_at, updated_at=data.occurred_at, imported=data.imported)
    else:  # the topic is keyed by demand id, so a demand's submission always comes first
        raise UnprocessableEvent(f"{kind} for demand {data.demand_id} never submitted")


def standing_changes(known: dict[str, DemandFact], before: dict[str, tuple[CellKey, Counts]],
                     touched: Iterable[str], zone: tzinfo = DEFAULT_ZONE) -> dict[CellKey, Counts]:
    """What the rate cells gain: each touched demand's contribution now, less what it added `before`
    (absent: a new demand)."""
    deltas: dict[CellKey, Counts] = defaultdict(Counts)
    for demand_id in touched:
        key, counts = cell_of(known[demand_id], zone)
        deltas[key] += counts
        if demand_id in before:
            old_key, old_counts = before[demand_id]
            deltas[old_key] -= old_counts
    return deltas


async def on_demand_event(session: AsyncSession, event: ReceivedEvent, zone: tzinfo = DEFAULT_ZONE) -> None:
    await on_demand_events(session, [event], zone)


# --- project-matching's projects move linked demands ------------------------------------------

class ProjectEvent(BaseModel):
    """Tolerant reader: only what demand-intake needs of project-matching's project events."""

    model_config = ConfigDict(extra="ignore")

    project_id: str
    linked_demand_ids: list[str] = []


def project_handlers(clock: Clock):
    async def _move(session: AsyncSession, event: ReceivedEvent, target: State, eligible: set[State], extra) -> None:
        data = ProjectEvent.model_validate(event.data)
        work = SessionWork(session)
        demands = DemandRepository(session)
        now = clock.now()
        for demand_id in dict.fromkeys(data.linked_demand_ids):
            demand = await demands.get(demand_id)
            note = f"project {data.project_id} {event.type}"
            if demand is not None and await demands.has_history_note(demand.id, note):
                continue  # applied before (a replay of the topic): never move a demand twice for one fact
            if demand is None or demand.state not in eligible:
                # Linked demands of another district, or already past this step: nothing to do.
                log.info("project %s: demand %s not moved to %s (%s)", data.project_id, demand_id, target.value,
                         demand.state.value if demand else "unknown")
                continue
            previous = demand.state
            try:
                demand.move_to(target, now)
            except (IllegalTransition, DemandRuleViolation):
                continue
            await apply_state(work, demand, previous, now, SYSTEM, note=note,
                              event_extra=extra(data))
        await work.flush()

    async def on_project_approved(session: AsyncSession, event: ReceivedEvent) -> None:
        await _move(session, event, State.IN_PROGRESS, {State.ACCEPTED, State.ASSIGNED},
                    lambda d: {"project_id": d.project_id})

    async def on_project_completed(session: AsyncSession, event: ReceivedEvent) -> None:
        await _move(session, event, State.RESOLVED, {State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED},
                    lambda d: {"resolved_by": "project", "source_id": d.project_id})

    return on_project_approved, on_project_completed


# --- project-matching's accepted matches assign the demand to the provider unit ----------------

class MatchFacts(BaseModel):
    """Tolerant reader: only what demand-intake needs of `match.accepted` (the provider fields are
    optional: events published before they existed assign nothing)."""

    model_config = ConfigDict(extra="ignore")

    match_id: str
    demand_id: str | None = None
    provider_kind: str | None = None
    provider_id: str | None = None


def match_handler(clock: Clock):
    async def on_match_accepted(session: AsyncSession, event: ReceivedEvent) -> None:
        data = MatchFacts.model_validate(event.data)
        work = SessionWork(session)
        outcome = await assign_by_match(work, match_id=data.match_id, demand_id=data.demand_id,
                                        provider_kind=data.provider_kind, provider_id=data.provider_id,
                                        now=clock.now())
        log.info("%s", outcome)
        await work.flush()

    return on_match_accepted


class UnitFacts(BaseModel):
    """Tolerant reader: only what demand-intake needs of org-registry's unit events."""

    model_config = ConfigDict(extra="ignore")

    unit_id: str
    name: str
    kind: str
    area_code: str


async def on_unit(session: AsyncSession, event: ReceivedEvent) -> None:
    unit = UnitFacts.model_validate(event.data)
    if not 0 < len(unit.unit_id) <= 64:   # org-registry's ids are 1-64 characters; anything else is not its event
        raise UnprocessableEvent(f"unit id of {len(unit.unit_id)} characters")
    await keep_unit(session, unit_id=unit.unit_id, name=unit.name, kind=unit.kind, area_code=unit.area_code,
                    now=datetime.now(UTC))


def fact_subscriptions(zone: tzinfo) -> list[Subscription]:
    """The rates read model's subscriptions, cutting months in the district's `zone` (partials, not
    closures: a rebuild sends them to its worker processes)."""
    return [Subscription(DEMANDS_TOPIC, e.event_type, partial(on_demand_event, zone=zone),
                         partial(on_demand_events, zone=zone)) for e in DEMAND_EVENTS]


DEMAND_FACT_SUBSCRIPTIONS = fact_subscriptions(DEFAULT_ZONE)


def subscriptions(clock: Clock, zone: tzinfo = DEFAULT_ZONE) -> list[Subscription]:
    """`zone`: the district's time zone (settings.district_zone), whose months the rate cells count."""
    approved, completed = project_handlers(clock)
    axis = [s for s in AXIS_COPY_SUBSCRIPTIONS if s.event_type != AreaMoved.event_type]
    return [
        *axis,
        Subscription(AREAS_TOPIC, AreaMoved.event_type, partial(on_area_moved, zone=zone)),
        *fact_subscriptions(zone),
        *(Subscription(UNITS_TOPIC, event_type, on_unit) for event_type in ("unit.created", "unit.updated")),
        Subscription(PROJECTS_TOPIC, "project.approved", approved),
        Subscription(PROJECTS_TOPIC, "project.completed", completed),
        Subscription(MATCHES_TOPIC, MatchAccepted.event_type, match_handler(clock)),
    ]


# `yizhou rebuild demand-intake` replays these: their months are the configured district's.
SUBSCRIPTIONS: list[Subscription] = subscriptions(SystemClock(), DistrictSettings().district_zone)

# Tables built only from events: `yizhou rebuild demand-intake` and `yizhou demand-intake rates rebuild`
# clear and replay them.
READ_MODELS = [area_copy, DemandFactRow.__table__, RateCellRow.__table__, UNITS]
