"""The figures a scorecard is computed from, read from the guarantee network's read models and the
service's own projects, plus assessment weights and published scorecards."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.domain.assessment import MEMBER_HOURS_PER_YEAR, Measure, mean, ratio
from project_matching.guarantee.store.tables import (assessment_weights, demand_facts, evaluation_facts, member_copy,
                                                     registration_facts, scorecards, service_facts, unit_copy)
from project_matching.store.tables import projects

DELIVERED = ("completed", "evaluated")
APPROVED_OR_LATER = ("approved", "implementing", "completed", "evaluated")


def year_range(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _one(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


class AssessmentFigures:
    def __init__(self, session: AsyncSession, year: int) -> None:
        self.session = session
        self.year = year
        self.start, self.end = year_range(year)

    async def demand_rates(self, path: str) -> dict[str, Measure]:
        """demand-intake's three rates (docs/services/demand-intake.md) over the subtree's demands of the year."""
        f = demand_facts.c
        row = (await self.session.execute(select(
            _one(or_(f.responded.is_(True), f.respond_overdue.is_(True))),
            _one(and_(f.responded.is_(True), f.respond_overdue.is_(False))),
            _one(f.state != "rejected"), _one(f.state.in_(("resolved", "closed"))),
            _one(f.feedback.is_not(None)), _one(f.feedback.in_(("satisfied", "basically_satisfied"))),
        ).where(f.area_path.startswith(path, autoescape=True), f.submitted_at >= self.start, f.submitted_at < self.end,
                f.state.not_in(("withdrawn", "merged"))))).one()
        settled, on_time, handled, resolved, with_feedback, satisfied = (int(v) for v in row)
        return {"response_rate": ratio(on_time, settled), "resolution_rate": ratio(resolved, handled),
                "satisfaction_rate": ratio(satisfied, with_feedback)}

    async def evaluation_score(self, *, path: str | None = None, organization_id: str | None = None) -> Measure:
        e = evaluation_facts.c
        query = select(e.score).where(e.year == self.year)
        query = query.where(e.community_path.startswith(path, autoescape=True)) if path is not None \
            else query.where(e.organization_id == organization_id)
        return mean([float(s) for s in (await self.session.execute(query)).scalars()])

    def _registered(self, kind: str):
        r = registration_facts.c
        return select(r.registrant_id).where(r.registrant_kind == kind, r.registered_at < self.end)

    async def _share_registered(self, expected, kind: str) -> Measure:
        ids = expected.subquery()
        total, registered = (await self.session.execute(select(
            func.count(), _one(ids.c[0].in_(self._registered(kind)))).select_from(ids))).one()
        return ratio(int(registered), int(total))

    async def unit_registration(self, *, path: str | None = None, organization_id: str | None = None) -> Measure:
        u, r = unit_copy.c, registration_facts.c
        if path is not None:
            expected = select(u.unit_id.label("id")).where(u.area_path.startswith(path, autoescape=True),
                                                           u.organization_id.is_not(None))
        else:  # the organization's units, and any unit that registered naming it
            expected = select(u.unit_id.label("id")).where(u.organization_id == organization_id).union(
                select(r.registrant_id.label("id")).where(r.registrant_kind == "unit",
                                                          r.organization_id == organization_id))
        return await self._share_registered(expected, "unit")

    async def member_registration(self, *, path: str | None = None, organization_id: str | None = None) -> Measure:
        m = member_copy.c
        expected = select(m.member_id.label("id")).where(m.active.is_(True), m.in_service.is_(True))
        expected = expected.where(m.residence_path.startswith(path, autoescape=True)) if path is not None \
            else expected.where(m.organization_id == organization_id)
        return await self._share_registered(expected, "member")

    async def hours_threshold(self, *, path: str | None = None, organization_id: str | None = None) -> Measure:
        """Registrants who served their yearly hours: a member MEMBER_HOURS_PER_YEAR, a unit its agreement's."""
        r, s = registration_facts.c, service_facts.c
        served = (select(r.registrant_kind, r.registrant_id, r.hours_per_year,
                         func.coalesce(func.sum(s.minutes), 0).label("minutes"))
                  .select_from(registration_facts.outerjoin(service_facts, and_(
                      s.provider_kind == r.registrant_kind, s.provider_id == r.registrant_id,
                      s.started_at >= self.start, s.started_at < self.end)))
                  .where(r.registered_at < self.end)
                  .group_by(r.registrant_kind, r.registrant_id, r.hours_per_year))
        served = served.where(r.community_path.startswith(path, autoescape=True)) if path is not None \
            else served.where(r.organization_id == organization_id)
        rows = (await self.session.execute(served)).all()
        met = sum(1 for kind, _, hours_per_year, minutes in rows
                  if int(minutes) >= 60 * (MEMBER_HOURS_PER_YEAR if kind == "member" else (hours_per_year or 0)))
        return ratio(met, len(rows))

    async def coverage(self, path: str) -> Measure:
        u = unit_copy.c
        total, covered = (await self.session.execute(select(func.count(), _one(u.organization_id.is_not(None)))
                                                     .where(u.area_path.startswith(path, autoescape=True)))).one()
        return ratio(int(covered), int(total))

    async def projects_delivered(self, path: str) -> Measure:
        p = projects.c
        approved, delivered = (await self.session.execute(select(_one(p.state.in_(APPROVED_OR_LATER)),
                                                                 _one(p.state.in_(DELIVERED))).where(
            p.area_path.startswith(path, autoescape=True), p.created_at >= self.start,
            p.created_at < self.end))).one()
        return ratio(int(delivered), int(approved))


class WeightRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, district: str, year: int, subject_kind: str) -> dict[str, Decimal] | None:
        w = assessment_weights.c
        row = (await self.session.execute(select(w.weights).where(w.district_code == district, w.year == year,
                                                                  w.subject_kind == subject_kind))).first()
        return {k: Decimal(v) for k, v in row.weights.items()} if row else None

    async def put(self, district: str, year: int, subject_kind: str, weights: dict[str, Decimal], by: str,
                  now: datetime) -> None:
        w = assessment_weights
        key = (w.c.district_code == district, w.c.year == year, w.c.subject_kind == subject_kind)
        values = {"weights": {k: str(v) for k, v in weights.items()}, "set_by": by, "updated_at": now}
        changed = await self.session.execute(w.update().where(*key).values(**values))
        if changed.rowcount == 0:
            await self.session.execute(w.insert().values(district_code=district, year=year,
                                                         subject_kind=subject_kind, **values))


class ScorecardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_version(self, subject_kind: str, subject_id: str, year: int) -> int:
        c = scorecards.c
        latest = (await self.session.execute(select(func.max(c.version)).where(
            c.subject_kind == subject_kind, c.subject_id == subject_id, c.year == year))).scalar()
        return (latest or 0) + 1

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(scorecards.insert().values(**values))

    async def get(self, scorecard_id: str):
        return (await self.session.execute(select(scorecards).where(scorecards.c.id == scorecard_id))).first()

    async def list(self, *, under_path: str, year: int | None, subject_kind: str | None, after: str | None,
                   limit: int) -> list:
        c = scorecards.c
        query = select(scorecards).where(c.area_path.startswith(under_path, autoescape=True))
        if year is not None:
            query = query.where(c.year == year)
        if subject_kind is not None:
            query = query.where(c.subject_kind == subject_kind)
        if after:
            query = query.where(c.id > after)
        return list((await self.session.execute(query.order_by(c.id).limit(limit))).all())
