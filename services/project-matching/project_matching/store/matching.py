"""Matching rounds, their matches, and the demand list read model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.store.tables import demand_copy, matches, matching_rounds

OPEN_DEMAND_STATES = ("submitted", "accepted", "assigned", "reopened")
MET_DEMAND_STATES = ("resolved", "closed")


async def open_demands(session: AsyncSession, under_path: str) -> list[Any]:
    query = select(demand_copy).where(demand_copy.c.area_path.startswith(under_path, autoescape=True),
                                      demand_copy.c.state.in_(OPEN_DEMAND_STATES)).order_by(demand_copy.c.demand_id)
    return list((await session.execute(query)).all())


async def demand(session: AsyncSession, demand_id: str) -> Any:
    return (await session.execute(select(demand_copy).where(demand_copy.c.demand_id == demand_id))).first()


async def keep_demand_facts(session: AsyncSession, demand_id: str, values: dict[str, Any],
                            submitted_at: datetime | None) -> None:
    """The demand list's row of a demand, updated with `values` (made, with `submitted_at`, the first time
    one of its events arrives)."""
    if await demand(session, demand_id) is None:
        await session.execute(demand_copy.insert().values(demand_id=demand_id, submitted_at=submitted_at, **values))
    else:
        await session.execute(update(demand_copy).where(demand_copy.c.demand_id == demand_id).values(**values))


async def list_demands(session: AsyncSession, *, under_path: str, category: str | None, state: str | None,
                       open_only: bool, after: str | None, limit: int) -> list[Any]:
    query = select(demand_copy).where(demand_copy.c.area_path.startswith(under_path, autoescape=True))
    if category:
        query = query.where(demand_copy.c.category == category)
    if state:
        query = query.where(demand_copy.c.state == state)
    if open_only:
        query = query.where(demand_copy.c.state.in_(OPEN_DEMAND_STATES))
    if after:
        query = query.where(demand_copy.c.demand_id > after)
    return list((await session.execute(query.order_by(demand_copy.c.demand_id).limit(limit))).all())


async def demand_counts(session: AsyncSession, under_path: str) -> dict[str, int]:
    query = (select(demand_copy.c.state, func.count()).where(demand_copy.c.area_path.startswith(under_path,
                                                                                                 autoescape=True))
             .group_by(demand_copy.c.state))
    return {state: n for state, n in (await session.execute(query)).all()}


def _overlapping(start: datetime, end: datetime):
    return and_(matches.c.state == "accepted", matches.c.period_start < end, matches.c.period_end > start)


async def accepted_load(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    """Places already taken per resource by accepted matches of overlapping periods."""
    query = select(matches.c.resource_id, func.count()).where(_overlapping(start, end)).group_by(matches.c.resource_id)
    return {r: n for r, n in (await session.execute(query)).all()}


async def accepted_demands(session: AsyncSession, start: datetime, end: datetime) -> set[str]:
    return set((await session.execute(select(matches.c.demand_id).where(_overlapping(start, end)))).scalars())


async def rejected_pairs(session: AsyncSession, under_path: str) -> frozenset[tuple[str, str]]:
    """(demand id, resource id) of every rejected proposal for demands in the subtree, of any period."""
    query = select(matches.c.demand_id, matches.c.resource_id).where(
        matches.c.state == "rejected", matches.c.area_path.startswith(under_path, autoescape=True)).distinct()
    return frozenset((d, r) for d, r in (await session.execute(query)).all())


async def expire_proposals(session: AsyncSession, under_path: str, start: datetime, end: datetime,
                           values: dict[str, Any]) -> int:
    """Marks `expired` (with `values`: the note naming the new round, who ran it, when) the undecided
    proposals for demands in the subtree of periods overlapping [start, end): a new round there decides
    them afresh. Returns how many."""
    result = await session.execute(
        update(matches).where(matches.c.state == "proposed",
                              matches.c.area_path.startswith(under_path, autoescape=True),
                              matches.c.period_start < end, matches.c.period_end > start)
        .values(state="expired", **values))
    return result.rowcount


async def add_round(session: AsyncSession, values: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    await session.execute(matching_rounds.insert().values(**values))
    if rows:
        await session.execute(matches.insert(), rows)


async def get_round(session: AsyncSession, round_id: str) -> Any:
    return (await session.execute(select(matching_rounds).where(matching_rounds.c.id == round_id))).first()


async def list_rounds(session: AsyncSession, under_path: str, after: str | None, limit: int) -> list[Any]:
    query = select(matching_rounds).where(matching_rounds.c.area_path.startswith(under_path, autoescape=True))
    if after:
        query = query.where(matching_rounds.c.id > after)
    return list((await session.execute(query.order_by(matching_rounds.c.id).limit(limit))).all())


async def get_match(session: AsyncSession, match_id: str) -> Any:
    return (await session.execute(select(matches).where(matches.c.id == match_id))).first()


async def list_matches(session: AsyncSession, *, round_id: str | None, under_path: str, state: str | None,
                       after: str | None, limit: int) -> list[Any]:
    query = select(matches).where(matches.c.area_path.startswith(under_path, autoescape=True))
    if round_id:
        query = query.where(matches.c.round_id == round_id)
    if state:
        query = query.where(matches.c.state == state)
    if after:
        query = query.where(matches.c.id > after)
    return list((await session.execute(query.order_by(matches.c.id).limit(limit))).all())


async def decide_match(session: AsyncSession, match_id: str, values: dict[str, Any]) -> bool:
    result = await session.execute(update(matches).where(matches.c.id == match_id, matches.c.state == "proposed")
                                   .values(**values))
    return result.rowcount == 1


async def accepted_matches_count(session: AsyncSession, under_path: str) -> int:
    query = select(func.count()).where(matches.c.area_path.startswith(under_path, autoescape=True),
                                       matches.c.state == "accepted")
    return (await session.execute(query)).scalar_one()
