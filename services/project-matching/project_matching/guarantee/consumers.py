"""Events the guarantee network reads, each with its own tolerant reader (only the fields it needs):

- org-registry's `organization.*` (fund accounts and venues belong to known organizations),
  `unit.*` (coverage, units expected to register) and `member.*` (members expected to register);
- dual-registration's `unit.registered`, `member.registered`, `member.transferred`,
  `service.confirmed` (hours) and `evaluation.published`;
- demand-intake's `demand.*` (the three rates, with demand-intake's own definitions).

Each handler reads its event and hands the facts to a use case (`guarantee.use_cases.facts`), which
keeps them through the store (`guarantee.store.read_copies`): an upsert keyed by the record's id, so a
redelivery or a replay changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.use_cases import facts
from yizhou.contracts.demands import DEMAND_EVENTS, DEMANDS_TOPIC
from yizhou.consumer import Subscription, UnprocessableEvent
from yizhou.envelope import ReceivedEvent
from yizhou.events import topic_name


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganizationFacts(_Tolerant):
    organization_id: str
    name: str
    kind: str
    area_code: str
    area_path: str
    parent_organization_id: str | None = None
    dissolved_on: str | None = None


async def on_organization(session: AsyncSession, event: ReceivedEvent) -> None:
    o = OrganizationFacts.model_validate(event.data)
    dissolved = event.type == "organization.dissolved" or o.dissolved_on is not None
    await facts.keep_organization(session, organization_id=o.organization_id, name=o.name, kind=o.kind,
                                  area_code=o.area_code, area_path=o.area_path,
                                  parent_organization_id=o.parent_organization_id, dissolved=dissolved,
                                  now=datetime.now(UTC))


class UnitFacts(_Tolerant):
    unit_id: str
    kind: str
    area_path: str
    organization_id: str | None = None


async def on_unit(session: AsyncSession, event: ReceivedEvent) -> None:
    u = UnitFacts.model_validate(event.data)
    await facts.keep_unit(session, unit_id=u.unit_id, kind=u.kind, area_path=u.area_path,
                          organization_id=u.organization_id, now=datetime.now(UTC))


class MemberFacts(_Tolerant):
    member_id: str
    organization_id: str
    residence_area_path: str
    in_service: bool = False
    state: str = "active"


async def on_member(session: AsyncSession, event: ReceivedEvent) -> None:
    m = MemberFacts.model_validate(event.data)
    await facts.keep_member(session, member_id=m.member_id, organization_id=m.organization_id,
                            residence_path=m.residence_area_path, in_service=m.in_service,
                            active=m.state != "left" and event.type != "member.left", now=datetime.now(UTC))


class RegistrationFacts(_Tolerant):
    registration_id: str
    unit_id: str | None = None
    member_id: str | None = None
    organization_id: str | None = None
    community_path: str
    hours_per_year: float | None = None
    registered_at: datetime


async def on_registration(session: AsyncSession, event: ReceivedEvent) -> None:
    r = RegistrationFacts.model_validate(event.data)
    kind, registrant = ("unit", r.unit_id) if event.type == "unit.registered" else ("member", r.member_id)
    if not registrant:
        raise UnprocessableEvent(f"{event.type} {r.registration_id} names no {kind}")
    await facts.keep_registration(session, registrant_kind=kind, registrant_id=registrant,
                                  registration_id=r.registration_id, organization_id=r.organization_id,
                                  community_path=r.community_path, hours_per_year=r.hours_per_year,
                                  registered_at=r.registered_at)


class ServiceFacts(_Tolerant):
    service_id: str
    provider_kind: str
    provider_id: str
    started_at: datetime
    minutes: int


async def on_service_confirmed(session: AsyncSession, event: ReceivedEvent) -> None:
    s = ServiceFacts.model_validate(event.data)
    if s.minutes <= 0:
        raise UnprocessableEvent(f"service {s.service_id} has {s.minutes} minutes")
    await facts.keep_service(session, service_id=s.service_id, provider_kind=s.provider_kind,
                             provider_id=s.provider_id, started_at=s.started_at, minutes=s.minutes)


class EvaluationFacts(_Tolerant):
    evaluation_id: str
    subject_kind: str
    subject_id: str
    organization_id: str | None = None
    community_path: str
    period: str
    score: float


async def on_evaluation(session: AsyncSession, event: ReceivedEvent) -> None:
    e = EvaluationFacts.model_validate(event.data)
    if not e.period[:4].isdigit() or not 0 <= e.score <= 100:
        raise UnprocessableEvent(f"evaluation {e.evaluation_id}: period '{e.period}', score {e.score}")
    await facts.keep_evaluation(session, evaluation_id=e.evaluation_id, subject_kind=e.subject_kind,
                                subject_id=e.subject_id, organization_id=e.organization_id,
                                community_path=e.community_path, year=int(e.period[:4]), score=e.score)


class DemandFacts(_Tolerant):
    demand_id: str
    area_path: str
    state: str
    occurred_at: datetime
    deadline: str | None = None
    feedback: str | None = None
    feedback_by: str | None = None
    imported: bool = False


async def on_demand(session: AsyncSession, event: ReceivedEvent) -> None:
    """The same facts demand-intake's rates read model keeps (see docs/services/demand-intake.md: the three rates)."""
    d = DemandFacts.model_validate(event.data)
    await facts.follow_demand(session, event.type, demand_id=d.demand_id, area_path=d.area_path, state=d.state,
                              occurred_at=d.occurred_at, deadline=d.deadline, feedback=d.feedback,
                              feedback_by=d.feedback_by, imported=d.imported)


GUARANTEE_SUBSCRIPTIONS: list[Subscription] = [
    *(Subscription(topic_name("organizations", version=2), t, on_organization)
      for t in ("organization.created", "organization.updated", "organization.dissolved")),
    *(Subscription(topic_name("units"), t, on_unit) for t in ("unit.created", "unit.updated")),
    *(Subscription(topic_name("members"), t, on_member) for t in ("member.created", "member.updated", "member.left")),
    *(Subscription(topic_name("registrations"), t, on_registration)
      for t in ("unit.registered", "member.registered", "member.transferred")),
    Subscription(topic_name("services"), "service.confirmed", on_service_confirmed),
    Subscription(topic_name("evaluations"), "evaluation.published", on_evaluation),
    *(Subscription(DEMANDS_TOPIC, e.event_type, on_demand) for e in DEMAND_EVENTS),
]
