"""Reads of the public notice's tables: an area, its sub-areas, its demands' figures, its projects and
its published evaluation results (all by area path: a subtree's records start with its path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.public_notice.figures import SETTLED, DemandFigure
from org_registry.public_notice.tables import notice_areas, notice_demands, notice_evaluations, notice_projects


@dataclass(frozen=True)
class NoticeArea:
    code: str
    area_name: str
    level: str | None
    path: str


def _area(row) -> NoticeArea:
    return NoticeArea(code=row.code, area_name=row.area_name or row.code, level=row.level, path=row.path)


async def area(session: AsyncSession, code: str) -> NoticeArea | None:
    row = (await session.execute(select(notice_areas).where(notice_areas.c.code == code,
                                                            notice_areas.c.retired.is_(False)))).first()
    return None if row is None else _area(row)


async def sub_areas(session: AsyncSession, parent: NoticeArea) -> list[NoticeArea]:
    """The areas one level below `parent` (a grid's community is its parent's child: grids are not shown)."""
    depth = parent.path.count("/") + 1
    rows = (await session.execute(select(notice_areas).where(
        notice_areas.c.path.startswith(parent.path, autoescape=True), notice_areas.c.path != parent.path,
        notice_areas.c.retired.is_(False), notice_areas.c.level != "grid").order_by(notice_areas.c.code))).all()
    return [_area(r) for r in rows if r.path.count("/") == depth]


def _figure(row) -> DemandFigure:
    return DemandFigure(state=row.state, submitted_at=row.submitted_at, responded=row.responded,
                        respond_overdue=row.respond_overdue, overdue=row.overdue, feedback=row.feedback,
                        feedback_by=row.feedback_by, imported=row.imported, said_resolved=row.said_resolved,
                        said_satisfaction=row.said_satisfaction)


async def demands_since(session: AsyncSession, path: str, since: datetime) -> list[DemandFigure]:
    """The subtree's demands submitted from `since` on."""
    rows = (await session.execute(select(notice_demands).where(
        notice_demands.c.area_path.startswith(path, autoescape=True), notice_demands.c.submitted_at >= since))).all()
    return [_figure(r) for r in rows]


async def open_demands(session: AsyncSession, path: str) -> list[tuple[str, DemandFigure]]:
    """The subtree's backlog (not yet resolved, closed, rejected, withdrawn or merged), with each one's path."""
    rows = (await session.execute(select(notice_demands).where(
        notice_demands.c.area_path.startswith(path, autoescape=True), notice_demands.c.state.not_in(SETTLED),
        notice_demands.c.imported.is_(False), notice_demands.c.submitted_at.is_not(None)))).all()
    return [(r.area_path, _figure(r)) for r in rows]


async def projects(session: AsyncSession, path: str, limit: int = 200) -> list:
    """The subtree's projects past design (approved or rejected, or further), newest approval first."""
    return list((await session.execute(select(notice_projects).where(
        notice_projects.c.area_path.startswith(path, autoescape=True),
        notice_projects.c.step.not_in(("understand", "design")) | notice_projects.c.approved_at.is_not(None))
        .order_by(notice_projects.c.approved_at.desc(), notice_projects.c.project_id).limit(limit))).all())


@dataclass(frozen=True)
class EvaluationSummary:
    period: str
    subject_kind: str
    count: int
    average_score: float
    ratings: dict[str, int]


async def evaluation_summaries(session: AsyncSession, path: str) -> list[EvaluationSummary]:
    """Published results summed per period and subject kind: counts and ratings, never a person's own."""
    rows = (await session.execute(select(
        notice_evaluations.c.period, notice_evaluations.c.subject_kind, notice_evaluations.c.rating,
        func.count(), func.sum(notice_evaluations.c.score)).where(
        notice_evaluations.c.community_path.startswith(path, autoescape=True))
        .group_by(notice_evaluations.c.period, notice_evaluations.c.subject_kind, notice_evaluations.c.rating))).all()
    grouped: dict[tuple[str, str], list] = {}
    for period, kind, rating, count, total in rows:
        grouped.setdefault((period, kind), []).append((rating, count, total))
    out = []
    for (period, kind), parts in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True):
        count = sum(c for _, c, _ in parts)
        out.append(EvaluationSummary(period=period, subject_kind=kind, count=count,
                                     average_score=round(sum(t for _, _, t in parts) / count, 1),
                                     ratings={r: c for r, c, _ in parts}))
    return out
