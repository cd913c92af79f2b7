"""The rates read model (`demand_facts`): written by the demand-event consumer, queried for the
three rates, the backlog and the overdue list."""

from __future__ import annotations

from datetime import datetime

from dataclasses import fields

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.facts import DemandFact
from demand_intake.domain.rates import DONE, NOT_COUNTED, SATISFIED, SETTLED, Counts
from demand_intake.store.tables import DemandFactRow
from yizhou.bulk import upsert_many
from yizhou.columns import in_subtree
_FACTS = DemandFactRow.__table__
_FACT_FIELDS = tuple(f.name for f in fields(DemandFact))
assert set(_FACT_FIELDS) == set(_FACTS.c.keys()), "DemandFact and demand_facts must have the same columns"


class FactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_many(self, demand_ids: set[str]) -> dict[str, DemandFact]:
        """The facts of these demands (those there are), as plain values: the event handler folds a batch
        into them and writes them back with `save_many` (Core, no ORM bookkeeping per attribute)."""
        rows = await self.session.execute(select(_FACTS).where(_FACTS.c.demand_id.in_(demand_ids)))
        return {row.demand_id: DemandFact(**row._mapping) for row in rows}

    async def save_many(self, facts: list[DemandFact]) -> None:
        """Inserts or overwrites these facts, in one statement (in key order: neighbouring index pages)."""
        await upsert_many(self.session, _FACTS, [{name: getattr(fact, name) for name in _FACT_FIELDS}
                                                 for fact in sorted(facts, key=lambda fact: fact.demand_id)],
                          ["demand_id"])

    async def counts(self, under_path: str, start: datetime, end: datetime, assignee: str | None = None,
                     category: str | None = None, unit_id: str | None = None) -> Counts:
        f = DemandFactRow
        live = f.imported.is_(False)   # imported demands are in no rate (domain.rates.contribution)
        one = lambda cond: func.coalesce(func.sum(case((and_(live, cond), 1), else_=0)), 0)  # noqa: E731
        responded_on_time = and_(f.responded_at.is_not(None), f.respond_overdue.is_(False))
        said = f.said_satisfaction.is_not(None)   # the resident's own word (domain.rates.contribution)
        query = select(
            one(true()),
            one(or_(f.responded_at.is_not(None), f.respond_overdue.is_(True))),
            one(responded_on_time),
            one(f.state != "rejected"),
            one(f.state.in_(DONE)),
            one(f.feedback.is_not(None)),
            one(f.feedback.in_(SATISFIED)),
            one(f.state.not_in(SETTLED)),
            one(and_(f.state.not_in(SETTLED), f.overdue.is_(True))),
            one(said),
            one(and_(said, f.said_satisfaction.in_(SATISFIED))),
            func.coalesce(func.sum(case((f.imported.is_(True), 1), else_=0)), 0),
            one(f.said_resolved.is_not(None)),
            one(f.said_resolved.is_(True)),
        ).where(in_subtree(f.area_path, under_path), f.submitted_at >= start, f.submitted_at < end,
                f.state.not_in(NOT_COUNTED), f.reduced.is_(False))   # reduced orders: in no count
        if assignee:
            query = query.where(f.assignee == assignee)
        if unit_id:
            query = query.where(f.assignee_unit_id == unit_id)
        if category:
            query = query.where(f.category == category)
        row = (await self.session.execute(query)).one()
        return Counts(*[int(v) for v in row])

    async def counted_ids(self, under_path: str, start: datetime, end: datetime, category: str,
                          limit: int) -> list[str]:
        """The demands of a category a subtree's figures count over a period (imports, withdrawn and merged
        ones left out), oldest first: those the month's problem stands for."""
        f = DemandFactRow
        query = select(f.demand_id).where(
            in_subtree(f.area_path, under_path), f.submitted_at >= start, f.submitted_at < end, f.category == category,
            f.imported.is_(False), f.reduced.is_(False), f.state.not_in(NOT_COUNTED)).order_by(f.submitted_at, f.demand_id).limit(limit)
        return list((await self.session.execute(query)).scalars().all())

    async def open_list(self, under_path: str, *, overdue_only: bool, after: tuple[datetime, str] | None,
                        limit: int, category: str | None = None, assignee: str | None = None,
                        unit_id: str | None = None) -> list[DemandFactRow]:
        """The backlog (oldest first), or only its overdue part."""
        f = DemandFactRow
        query = select(f).where(in_subtree(f.area_path, under_path), f.state.not_in(SETTLED))
        if overdue_only:
            query = query.where(f.overdue.is_(True))
        if category:
            query = query.where(f.category == category)
        if assignee:
            query = query.where(f.assignee == assignee)
        if unit_id:
            query = query.where(f.assignee_unit_id == unit_id)
        if after is not None:
            at, last = after
            query = query.where(or_(f.submitted_at > at, and_(f.submitted_at == at, f.demand_id > last)))
        query = query.order_by(f.submitted_at, f.demand_id).limit(limit)
        return list((await self.session.execute(query)).scalars().all())
