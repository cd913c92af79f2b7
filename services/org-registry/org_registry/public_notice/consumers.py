"""The public notice's consumers: partner events (and only those) fold into its tables.

org-registry's webhook bridge already subscribes to every partner event type, and the consumer runner
keeps one handler per (topic, event type); `alongside` therefore runs the notice's handler after the
bridge's in the same transaction, so both are exactly-once under the one inbox claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.public_notice.figures import DemandFigure
from org_registry.public_notice.tables import (NOTICE_TABLES, notice_areas, notice_demands, notice_evaluations,
                                               notice_projects)
from yizhou.consumer import Handler, Subscription
from yizhou.envelope import ReceivedEvent
from yizhou.partner_views import (PartnerAreaChanged, PartnerDemandChanged, PartnerEvaluationPublished,
                                  PartnerProjectChanged)

PATH = r"^/([A-Za-z0-9_-]+/)+$"


class AreaFacts(BaseModel):
    """Tolerant readers: only what the pages show; a broken payload goes to the dead letters."""

    model_config = ConfigDict(extra="ignore")

    change: str
    area_code: str = Field(min_length=1, max_length=32)
    area_name: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=16)
    area_path: str = Field(max_length=400, pattern=PATH)
    retired: bool = False


class DemandFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    change: str
    demand_id: str = Field(min_length=1, max_length=64)
    area_path: str = Field(max_length=400, pattern=PATH)
    category: str = Field(max_length=64)
    state: str = Field(max_length=16)
    occurred_at: datetime
    deadline: str | None = None
    feedback: str | None = None
    feedback_by: str | None = None
    imported: bool | None = None
    callback_resolved: bool | None = None
    callback_satisfaction: str | None = None
    callback_source: str | None = None


class ProjectFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    change: str
    project_id: str = Field(min_length=1, max_length=64)
    area_code: str = Field(max_length=32)
    area_path: str = Field(max_length=400, pattern=PATH)
    category: str = Field(max_length=64)
    step: str = Field(max_length=16)
    linked_demands: int = 0
    state: str | None = Field(default=None, max_length=16)
    budget_yuan: float | None = Field(default=None, ge=0)
    spent_yuan: float | None = Field(default=None, ge=0)
    progress_percent: float | None = Field(default=None, ge=0, le=100)
    average_score: float | None = None
    occurred_at: datetime | None = None


class EvaluationFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    evaluation_id: str = Field(min_length=1, max_length=64)
    subject_kind: Literal["unit", "member"]
    community_code: str = Field(max_length=32)
    community_path: str | None = Field(default=None, max_length=400, pattern=PATH)
    period: str = Field(pattern=r"^\d{4}(-Q[1-4])?$")
    score: float = Field(ge=0, le=100)
    rating: Literal["excellent", "good", "fair", "poor"]


async def on_area(session: AsyncSession, event: ReceivedEvent) -> None:
    facts = AreaFacts.model_validate(event.data)
    old = (await session.execute(select(notice_areas.c.path).where(notice_areas.c.code == facts.area_code))).scalar()
    values = {"area_name": facts.area_name, "level": facts.level, "path": facts.area_path, "retired": facts.retired}
    if facts.area_name is None:   # a change that does not name the area keeps the name it had
        values.pop("area_name")
    if old is None:
        await session.execute(notice_areas.insert().values(code=facts.area_code, **{"area_name": None, **values}))
        return
    await session.execute(update(notice_areas).where(notice_areas.c.code == facts.area_code).values(**values))
    if old != facts.area_path:   # moved: the subtree's areas and records follow it, as demand-intake's do
        for table, column in ((notice_areas, notice_areas.c.path), (notice_demands, notice_demands.c.area_path),
                              (notice_projects, notice_projects.c.area_path),
                              (notice_evaluations, notice_evaluations.c.community_path)):
            moved = literal(facts.area_path, String).concat(func.substr(column, len(old) + 1))
            await session.execute(update(table).where(column.startswith(old, autoescape=True))
                                  .values({column.key: moved}))


async def on_demand(session: AsyncSession, event: ReceivedEvent) -> None:
    facts = DemandFacts.model_validate(event.data)
    row = (await session.execute(select(notice_demands)
                                 .where(notice_demands.c.demand_id == facts.demand_id))).first()
    figure = DemandFigure(state=facts.state) if row is None else DemandFigure(
        state=row.state, submitted_at=row.submitted_at, responded=row.responded, respond_overdue=row.respond_overdue,
        overdue=row.overdue, feedback=row.feedback, feedback_by=row.feedback_by, imported=row.imported,
        said_resolved=row.said_resolved, said_satisfaction=row.said_satisfaction)
    figure.apply(facts.change, facts.state, facts.occurred_at, deadline=facts.deadline, feedback=facts.feedback,
                 feedback_by=facts.feedback_by, imported=facts.imported, callback_resolved=facts.callback_resolved,
                 callback_satisfaction=facts.callback_satisfaction, callback_source=facts.callback_source)
    values = {"area_path": facts.area_path, "category": facts.category, "state": figure.state,
              "submitted_at": figure.submitted_at, "responded": figure.responded,
              "respond_overdue": figure.respond_overdue, "overdue": figure.overdue, "feedback": figure.feedback,
              "feedback_by": figure.feedback_by, "imported": figure.imported, "said_resolved": figure.said_resolved,
              "said_satisfaction": figure.said_satisfaction, "updated_at": facts.occurred_at}
    if row is None:
        await session.execute(notice_demands.insert().values(demand_id=facts.demand_id, **values))
    else:
        await session.execute(update(notice_demands).where(notice_demands.c.demand_id == facts.demand_id)
                              .values(**values))


async def on_project(session: AsyncSession, event: ReceivedEvent) -> None:
    facts = ProjectFacts.model_validate(event.data)
    at = facts.occurred_at or event.time or datetime.now(UTC)
    row = (await session.execute(select(notice_projects)
                                 .where(notice_projects.c.project_id == facts.project_id))).first()
    values = {"area_code": facts.area_code, "area_path": facts.area_path, "category": facts.category,
              "step": facts.step, "linked_demands": facts.linked_demands, "updated_at": at}
    # Each change carries only some figures: the others keep what earlier changes said.
    for key in ("state", "budget_yuan", "spent_yuan", "progress_percent", "average_score"):
        if getattr(facts, key) is not None:
            values[key] = getattr(facts, key)
    if facts.change == "project.approved":
        values["approved_at"] = at
    elif facts.change == "project.rejected":
        values["rejected"] = True
    if row is None:
        await session.execute(notice_projects.insert().values(project_id=facts.project_id,
                                                              **{"rejected": False, **values}))
    else:
        await session.execute(update(notice_projects).where(notice_projects.c.project_id == facts.project_id)
                              .values(**values))


async def on_evaluation(session: AsyncSession, event: ReceivedEvent) -> None:
    facts = EvaluationFacts.model_validate(event.data)
    values = facts.model_dump()
    exists = (await session.execute(select(notice_evaluations.c.evaluation_id)
                                    .where(notice_evaluations.c.evaluation_id == facts.evaluation_id))).first()
    if exists:   # a republished result replaces the earlier one
        await session.execute(update(notice_evaluations)
                              .where(notice_evaluations.c.evaluation_id == facts.evaluation_id).values(**values))
    else:
        await session.execute(notice_evaluations.insert().values(**values))


HANDLERS: dict[tuple[str, str], Handler] = {
    (PartnerAreaChanged.topic, PartnerAreaChanged.event_type): on_area,
    (PartnerDemandChanged.topic, PartnerDemandChanged.event_type): on_demand,
    (PartnerProjectChanged.topic, PartnerProjectChanged.event_type): on_project,
    (PartnerEvaluationPublished.topic, PartnerEvaluationPublished.event_type): on_evaluation,
}


def _both(first: Handler, then: Handler) -> Handler:
    async def handle(session: AsyncSession, event: ReceivedEvent) -> None:
        await first(session, event)
        await then(session, event)

    return handle


def alongside(subscriptions: list[Subscription]) -> list[Subscription]:
    """`subscriptions` (the webhook bridge's) with the notice's handlers joined to those on the same
    partner event types, and the notice's own subscriptions for any they lack."""
    out, seen = [], set()
    for s in subscriptions:
        key = (s.topic, s.event_type)
        if key in HANDLERS:
            seen.add(key)
            # One handler per record: the batch path would skip the notice, so it is dropped.
            s = replace(s, handler=_both(s.handler, HANDLERS[key]), batch_handler=None)
        out.append(s)
    out += [s for s in SUBSCRIPTIONS if (s.topic, s.event_type) not in seen]
    return out


# The notice's own subscriptions (module-level handlers, so a rebuild may send them to worker processes)
# and the tables they fill: what a rebuild of the notice alone replays and clears.
SUBSCRIPTIONS = [Subscription(topic, event_type, handler) for (topic, event_type), handler in HANDLERS.items()]
READ_MODELS = NOTICE_TABLES
