"""Events project-matching reads, each with its own tolerant reader (only the fields it needs):

- the area axis (scoping);
- demand-intake's `demand.*` events into the demand list (`demand_copy`), and `meeting.closed`
  decisions of kind `request_project`, which open a project in the understand step;
- dual-registration's `unit.registered` commitments and `member.registered` / `member.transferred`
  skills and time, which become resources;
- and, for the guarantee network, organizations, units, members, registrations, confirmed services,
  evaluations and demand facts (`project_matching.guarantee.consumers`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.domain.errors import ResourceRuleViolation
from project_matching.domain.resource import HOURS_PER_NEED, categories_for_skills
from project_matching.events import NAMESPACE
from project_matching.guarantee.consumers import GUARANTEE_SUBSCRIPTIONS
from project_matching.guarantee.store.tables import READ_MODELS as GUARANTEE_READ_MODELS
from project_matching.guarantee.store.tables import metadata as guarantee_metadata
from project_matching.store.resources import ResourceRepository
from project_matching.store.tables import demand_copy
from project_matching.store.tables import metadata as own_metadata
from project_matching.use_cases.matching import follow_demand, place_arrival
from project_matching.use_cases.projects import open_requested_projects
from project_matching.use_cases.resources import add_resource, keep_member_resource, withdraw_resource
from yizhou.axis_copy import area_copy, axis_subscriptions
from yizhou.consumer import Subscription, UnprocessableEvent
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.database import SessionWork
from yizhou.envelope import ReceivedEvent
from yizhou.events import topic_name

MEETINGS_TOPIC = topic_name("meetings")
REGISTRATIONS_TOPIC = topic_name("registrations")
DEMAND_TYPES = tuple(event.event_type for event in DEMAND_EVENTS)  # every demand event read: the projection follows states
# A demand that (again) waits for help is placed live into the current round of its area.
ARRIVING_DEMAND_TYPES = ("demand.submitted", "demand.reopened")
log = logging.getLogger(__name__)


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DemandFacts(_Tolerant):
    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str
    occurred_at: datetime | None = None
    priority_household: str | None = None
    urgency: str | None = None
    merged_into_demand_id: str | None = None


async def on_demand(session: AsyncSession, event: ReceivedEvent) -> None:
    d = DemandFacts.model_validate(event.data)
    await follow_demand(session, event.type, demand_id=d.demand_id, area_code=d.area_code, area_path=d.area_path,
                        category=d.category, state=d.state, occurred_at=d.occurred_at,
                        priority_household=d.priority_household, urgency=d.urgency,
                        merged_into=d.merged_into_demand_id, now=datetime.now(UTC))
    if event.type in ARRIVING_DEMAND_TYPES:
        work = SessionWork(session)
        log.info(await place_arrival(session, work, area_path=d.area_path, what=f"demand {d.demand_id}",
                                     now=datetime.now(UTC)))
        await work.flush()


class Decision(_Tolerant):
    kind: str
    demand_ids: list[str] = []
    category: str
    summary: str = ""


class MeetingFacts(_Tolerant):
    meeting_id: str
    area_code: str
    area_path: str
    decisions: list[Decision] = []


async def on_meeting_closed(session: AsyncSession, event: ReceivedEvent) -> None:
    meeting = MeetingFacts.model_validate(event.data)
    await open_requested_projects(session, meeting_id=meeting.meeting_id, area_code=meeting.area_code,
                                  area_path=meeting.area_path, decisions=meeting.decisions, now=datetime.now(UTC))


class CommitmentFacts(_Tolerant):
    commitment_id: str
    kind: str
    description: str = ""
    categories: list[str] = []
    quantity: float = 1
    unit_of_measure: str = ""


class UnitRegistration(_Tolerant):
    registration_id: str
    unit_id: str
    community_code: str
    community_path: str
    commitments: list[CommitmentFacts] = []
    previous_registration_id: str | None = None


def _capacity(kind: str, quantity: float, unit_of_measure: str) -> tuple[int, int | None]:
    """(capacity, amount in fen) of a commitment: money funds projects; hours become places."""
    if kind == "money":
        return 0, max(1, round(quantity * 100))
    if kind in ("volunteer_hours", "skill") and "hour" in unit_of_measure.lower():
        return max(1, int(quantity // HOURS_PER_NEED)), None
    return max(1, int(quantity)), None


async def on_unit_registered(session: AsyncSession, event: ReceivedEvent) -> None:
    reg = UnitRegistration.model_validate(event.data)
    repo, work = ResourceRepository(session), SessionWork(session)
    now = datetime.now(UTC)
    if reg.previous_registration_id:  # the unit moved: what it offered in the old community ends
        for resource in await repo.active_for("unit", reg.unit_id):
            if resource.origin.startswith(f"unit.registered:{reg.previous_registration_id}:"):
                await withdraw_resource(repo, work, resource, now)
    for c in reg.commitments:
        origin = f"unit.registered:{reg.registration_id}:{c.commitment_id}"
        if await repo.by_origin(origin) is not None:
            continue
        capacity, amount = _capacity(c.kind, c.quantity, c.unit_of_measure)
        # Categories outside the platform's 21 are dropped rather than refusing the whole registration.
        categories = [k for k in c.categories if k in SERVICE_CATEGORIES]
        try:
            await add_resource(repo, work, kind=c.kind, title=(c.description or c.kind)[:200], provider_kind="unit",
                               provider_id=reg.unit_id, area_code=reg.community_code, area_path=reg.community_path,
                               categories=categories, skills=[], capacity=capacity, amount_fen=amount, latitude=None,
                               longitude=None, windows=[], origin=origin, now=now,
                               resource_id=str(uuid.uuid5(NAMESPACE, origin)))
        except ResourceRuleViolation as exc:
            raise UnprocessableEvent(f"commitment {c.commitment_id}: {exc}") from None
        if capacity > 0:  # a place to offer (money funds projects instead)
            log.info(await place_arrival(session, work, area_path=reg.community_path, serves_path=reg.community_path,
                                         what=f"commitment {c.commitment_id}", now=now))
    await work.flush()


class MemberRegistration(_Tolerant):
    registration_id: str
    member_id: str
    community_code: str
    community_path: str
    skills: list[str] = []
    available_hours_per_month: float = 0


async def on_member_registered(session: AsyncSession, event: ReceivedEvent) -> None:
    """One resource per member (their skills and time), moved when the member transfers."""
    reg = MemberRegistration.model_validate(event.data)
    repo, work = ResourceRepository(session), SessionWork(session)
    await keep_member_resource(repo, work, member_id=reg.member_id, community_code=reg.community_code,
                               community_path=reg.community_path, skills=reg.skills,
                               capacity=max(1, int(reg.available_hours_per_month // HOURS_PER_NEED)),
                               categories=categories_for_skills(reg.skills), now=datetime.now(UTC))
    log.info(await place_arrival(session, work, area_path=reg.community_path, serves_path=reg.community_path,
                                 what=f"member {reg.member_id}'s time", now=datetime.now(UTC)))
    await work.flush()


OWN_SUBSCRIPTIONS: list[Subscription] = [
    *axis_subscriptions(own_metadata, guarantee_metadata),   # our records' paths follow area moves too
    *(Subscription(DEMANDS_TOPIC, t, on_demand) for t in DEMAND_TYPES),
    Subscription(MEETINGS_TOPIC, "meeting.closed", on_meeting_closed),
    Subscription(REGISTRATIONS_TOPIC, "unit.registered", on_unit_registered),
    Subscription(REGISTRATIONS_TOPIC, "member.registered", on_member_registered),
    Subscription(REGISTRATIONS_TOPIC, "member.transferred", on_member_registered),
]


def merged(*lists: list[Subscription]) -> list[Subscription]:
    """One subscription per (topic, event type): the consumer dispatches to one handler, so handlers of
    the same event (the demand list and the guarantee network's facts) run in turn, in one transaction."""
    handlers: dict[tuple[str, str], list] = {}
    for s in (s for subs in lists for s in subs):
        handlers.setdefault((s.topic, s.event_type), []).append(s.handler)

    def chain(hs):
        if len(hs) == 1:
            return hs[0]

        async def run_all(session: AsyncSession, event: ReceivedEvent) -> None:
            for h in hs:
                await h(session, event)

        return run_all

    return [Subscription(topic, event_type, chain(hs)) for (topic, event_type), hs in handlers.items()]


SUBSCRIPTIONS: list[Subscription] = merged(OWN_SUBSCRIPTIONS, GUARANTEE_SUBSCRIPTIONS)

# Tables built only from events: `yizhou rebuild project-matching` clears and replays them.
READ_MODELS = [area_copy, demand_copy, *GUARANTEE_READ_MODELS]
