"""Projects in the `projects` table: scalar columns for filters, the rest of the aggregate as JSON,
and an optimistic version so two concurrent steps cannot both win."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.domain.project import (Amendment, BudgetLine, Milestone, Project, Review, Spend, State)
from project_matching.store.tables import projects


class StaleProject(Exception):
    pass


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _body(p: Project) -> dict:
    def iso(items):
        return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(i).items()} for i in items]

    return {"linked_demand_ids": list(p.linked_demand_ids), "goals": list(p.goals),
            "beneficiaries_planned": p.beneficiaries_planned, "budget_lines": iso(p.budget_lines),
            "milestones": iso(p.milestones), "reviews": iso(p.reviews), "decision": p.decision,
            "spends": iso(p.spends), "amendments": iso(p.amendments), "evaluation": p.evaluation}


def to_project(row) -> Project:
    b = row.body
    return Project(
        id=row.id, title=row.title, area_code=row.area_code, area_path=row.area_path, category=row.category,
        state=State(row.state), origin_meeting_id=row.origin_meeting_id,
        linked_demand_ids=tuple(b["linked_demand_ids"]), goals=tuple(b["goals"]),
        beneficiaries_planned=b["beneficiaries_planned"],
        budget_lines=tuple(BudgetLine(**x) for x in b["budget_lines"]),
        milestones=tuple(Milestone(**{**x, "done_at": _dt(x["done_at"])}) for x in b["milestones"]),
        reviews=tuple(Review(**{**x, "at": _dt(x["at"])}) for x in b["reviews"]),
        decision=b["decision"], spends=tuple(Spend(**{**x, "at": _dt(x["at"])}) for x in b["spends"]),
        amendments=tuple(Amendment(**{**x, "at": _dt(x["at"])}) for x in b["amendments"]),
        evaluation=b["evaluation"], version=row.version)


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: str) -> Project | None:
        row = (await self.session.execute(select(projects).where(projects.c.id == project_id))).first()
        return to_project(row) if row else None

    async def exists_for_origin(self, origin_key: str) -> bool:
        query = select(projects.c.id).where(projects.c.origin_key == origin_key)
        return (await self.session.execute(query)).first() is not None

    async def add(self, p: Project, now: datetime, origin_key: str | None = None) -> None:
        await self.session.execute(projects.insert().values(
            id=p.id, title=p.title, area_code=p.area_code, area_path=p.area_path, category=p.category,
            state=p.state.value, origin_meeting_id=p.origin_meeting_id, origin_key=origin_key, body=_body(p),
            budget_fen=p.budget_fen, spent_fen=p.spent_fen, version=1, created_at=now, updated_at=now))

    async def save(self, p: Project, now: datetime) -> Project:
        result = await self.session.execute(
            update(projects).where(projects.c.id == p.id, projects.c.version == p.version).values(
                state=p.state.value, body=_body(p), budget_fen=p.budget_fen, spent_fen=p.spent_fen,
                version=p.version + 1, updated_at=now))
        if result.rowcount != 1:
            raise StaleProject(p.id)
        return Project(**{**p.__dict__, "version": p.version + 1})

    async def list(self, *, under_path: str, state: str | None, category: str | None, after: str | None,
                   limit: int) -> list[Project]:
        query = select(projects).where(projects.c.area_path.startswith(under_path, autoescape=True))
        if state:
            query = query.where(projects.c.state == state)
        if category:
            query = query.where(projects.c.category == category)
        if after:
            query = query.where(projects.c.id > after)
        rows = (await self.session.execute(query.order_by(projects.c.id).limit(limit))).all()
        return [to_project(r) for r in rows]

    async def all_under(self, under_path: str) -> list[Project]:
        query = select(projects).where(projects.c.area_path.startswith(under_path, autoescape=True))
        return [to_project(r) for r in (await self.session.execute(query)).all()]

    async def count_under(self, under_path: str) -> int:
        query = select(func.count()).where(projects.c.area_path.startswith(under_path, autoescape=True))
        return (await self.session.execute(query)).scalar_one()
