"""The project lifecycle: each step one unit of work, checked by the domain, recorded as an event."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.domain.errors import ProjectRuleViolation
from project_matching.domain.project import Project, new_project
from project_matching.events import NAMESPACE
from project_matching.store.projects import ProjectRepository, StaleProject
from project_matching.store.tables import demand_copy
from project_matching.use_cases.access import REVIEWERS, area_in_scope, not_found
from project_matching.use_cases.publishing import record
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, require_role
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.contracts.projects import (ProjectApproved, ProjectCompleted, ProjectDesigned, ProjectEvaluated,
                                       ProjectOpened, ProjectProgressed, ProjectRejected, ProjectStarted,
                                       ProjectSubmitted)
from yizhou.database import Database, SessionWork
from yizhou.errors import Conflict, Invalid, NotFound, UnknownReference, from_rule
from yizhou.state_machine import IllegalTransition, as_problem


def project_event(cls, p: Project, now: datetime, **extra: Any):
    return cls(project_id=p.id, area_code=p.area_code, area_path=p.area_path, category=p.category,
               linked_demand_ids=list(p.linked_demand_ids), step=p.step, state=p.state.value, occurred_at=now, **extra)


def money(p: Project) -> dict[str, float]:
    return {"budget_yuan": p.budget_fen / 100}


def check_category(category: str) -> None:
    if category not in SERVICE_CATEGORIES:
        raise Invalid(f"Unknown service category '{category}'.",
                      errors=[{"field": "category", "message": "not one of the 21 service categories"}])


async def open_project(db: Database, scope: AreaScope, *, title: str, area_code: str, category: str,
                       linked_demand_ids: list[str]) -> Project:
    require_role(scope, STAFF_ROLES, "open projects")
    check_category(category)
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        area = await area_in_scope(uow.session, scope, area_code)
        await _check_demands(uow.session, area.path, linked_demand_ids)
        project = new_project(title=title, area_code=area.code, area_path=area.path, category=category,
                              linked_demand_ids=linked_demand_ids)
        await ProjectRepository(uow.session).add(project, now)
        record(uow, project_event(ProjectOpened, project, now), project.id)
        await uow.commit()
    return project


class MeetingDecision(Protocol):
    """A decision of a closed meeting, as demand-intake's `meeting.closed` carries it."""

    kind: str
    demand_ids: list[str]
    category: str
    summary: str


async def open_requested_projects(session: AsyncSession, *, meeting_id: str, area_code: str, area_path: str,
                                  decisions: Sequence[MeetingDecision], now: datetime) -> None:
    """Each `request_project` decision of a closed meeting opens a project in the understand step, once:
    its id is derived from the meeting and the decision's place, so a redelivery opens nothing more."""
    repo, work = ProjectRepository(session), SessionWork(session)
    for k, decision in enumerate(decisions):
        if decision.kind != "request_project":
            continue
        origin = f"meeting:{meeting_id}:{k}"
        if await repo.exists_for_origin(origin):
            continue
        title = (decision.summary.strip() or f"{decision.category} project")[:200]
        project = new_project(title=title, area_code=area_code, area_path=area_path, category=decision.category,
                              linked_demand_ids=decision.demand_ids, origin_meeting_id=meeting_id,
                              project_id=str(uuid.uuid5(NAMESPACE, origin)))
        await repo.add(project, now, origin_key=origin)
        record(work, project_event(ProjectOpened, project, now, origin_meeting_id=meeting_id), project.id)
    await work.flush()


async def _check_demands(session, area_path: str, demand_ids: list[str]) -> None:
    """Linked demands must be on the demand list, inside the project's area."""
    if not demand_ids:
        return
    rows = (await session.execute(select(demand_copy.c.demand_id, demand_copy.c.area_path)
                                  .where(demand_copy.c.demand_id.in_(demand_ids)))).all()
    inside = {r.demand_id for r in rows if r.area_path.startswith(area_path)}
    missing = [d for d in demand_ids if d not in inside]
    if missing:
        raise UnknownReference(f"No demand {', '.join(missing[:5])} in the project's area.",
                      errors=[{"field": "linked_demand_ids", "message": "unknown demand"}])


async def _visible(repo: ProjectRepository, scope: AreaScope, project_id: str) -> Project:
    project = await repo.get(project_id)
    if project is None or not scope.covers(project.area_path):
        raise not_found("project", project_id)
    return project


async def get(db: Database, scope: AreaScope, project_id: str) -> Project:
    async with db.sessions() as session:
        return await _visible(ProjectRepository(session), scope, project_id)


async def list_projects(db: Database, scope: AreaScope, *, area_code: str | None, state: str | None,
                        category: str | None, after: str | None, limit: int) -> list[Project]:
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        return await ProjectRepository(session).list(under_path=path, state=state, category=category, after=after,
                                                     limit=limit)


async def step(db: Database, scope: AreaScope, project_id: str, change: Callable[[Project, datetime], Project],
               event: Callable[[Project, datetime], Any] | None, *, roles: frozenset = STAFF_ROLES, doing: str,
               check: Callable[[Any, Project], Any] | None = None) -> Project:
    """Loads the project in scope, applies one domain change, saves it and records its event."""
    require_role(scope, roles, doing)
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        repo = ProjectRepository(uow.session)
        project = await _visible(repo, scope, project_id)
        try:
            changed = change(project, now)
        except IllegalTransition as exc:
            raise as_problem(exc) from None
        except ProjectRuleViolation as exc:
            raise from_rule(exc) from None
        except KeyError as exc:
            raise NotFound(f"No {exc.args[0]} in project '{project_id}'.") from None
        if check is not None:
            await check(uow.session, changed)
        try:
            saved = await repo.save(changed, now)
        except StaleProject:
            raise Conflict("The project changed meanwhile; reload and retry.") from None
        if event is not None:
            record(uow, event(saved, now), saved.id)
        await uow.commit()
    return saved


def progressed(p: Project, now: datetime):
    return project_event(ProjectProgressed, p, now, progress_percent=p.progress_percent, spent_yuan=p.spent_fen / 100,
                         budget_yuan=p.budget_fen / 100)


async def design(db, scope, project_id, body: dict) -> Project:
    async def demands_in_area(session, p: Project) -> None:
        await _check_demands(session, p.area_path, list(p.linked_demand_ids))

    return await step(
        db, scope, project_id,
        lambda p, now: p.design(goals=body["goals"], linked_demand_ids=body["linked_demand_ids"],
                                beneficiaries_planned=body["beneficiaries_planned"],
                                budget_lines=body["budget_lines"], milestones=body["milestones"]),
        lambda p, now: project_event(ProjectDesigned, p, now, budget_yuan=p.budget_fen / 100,
                                     funding_sources=p.funding_sources(), beneficiaries_planned=p.beneficiaries_planned),
        doing="design projects", check=demands_in_area)


async def submit(db, scope, project_id) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.submit(),
                      lambda p, now: project_event(ProjectSubmitted, p, now), doing="submit projects")


async def review(db, scope, project_id, score: int, comment: str) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.review(scope.caller.subject, score, comment, now), None,
                      roles=REVIEWERS, doing="review projects")


async def decide(db, scope, project_id, approve: bool, reasons: list[str]) -> Project:
    def event(p: Project, now: datetime):
        if approve:
            return project_event(ProjectApproved, p, now, average_score=p.average_score, budget_yuan=p.budget_fen / 100)
        return project_event(ProjectRejected, p, now, average_score=p.average_score)

    return await step(db, scope, project_id, lambda p, now: p.decide(approve, reasons, scope.caller.subject, now),
                      event, roles=REVIEWERS, doing="decide on projects")


async def start(db, scope, project_id) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.start(),
                      lambda p, now: project_event(ProjectStarted, p, now), doing="start projects")


async def complete_milestone(db, scope, project_id, milestone_id: str) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.complete_milestone(milestone_id, now), progressed,
                      doing="report progress")


async def spend(db, scope, project_id, amount_fen: int, line_id: str | None, note: str) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.spend(amount_fen, line_id, note, now), progressed,
                      doing="record spending")


async def amend(db, scope, project_id, amount_fen: int, reason: str) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.amend(amount_fen, reason, now), progressed,
                      roles=REVIEWERS, doing="amend budgets")


async def complete(db, scope, project_id) -> Project:
    return await step(db, scope, project_id, lambda p, now: p.complete(),
                      lambda p, now: project_event(ProjectCompleted, p, now, progress_percent=p.progress_percent,
                                                   spent_yuan=p.spent_fen / 100, budget_yuan=p.budget_fen / 100),
                      doing="complete projects")


async def evaluate(db, scope, project_id, outcome: str, beneficiaries_reached: int, satisfaction: float) -> Project:
    return await step(db, scope, project_id,
                      lambda p, now: p.evaluate(outcome, beneficiaries_reached, satisfaction, now),
                      lambda p, now: project_event(ProjectEvaluated, p, now,
                                                   beneficiaries_reached=beneficiaries_reached,
                                                   satisfaction_percent=satisfaction),
                      roles=REVIEWERS, doing="evaluate projects")
