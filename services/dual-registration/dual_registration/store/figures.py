"""Aggregates for cards and area figures, grouped in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.store.tables import (claims, evaluations, member_copy, registrations, service_sessions,
                                            unit_copy)


def _under(column, path: str):
    return column.startswith(path, autoescape=True)


async def confirmed_services(session: AsyncSession, provider_kind: str, provider_ids: list[str], since: datetime,
                             until: datetime) -> dict[str, int]:
    if not provider_ids:
        return {}
    rows = (await session.execute(select(service_sessions.c.provider_id, func.count()).where(
        service_sessions.c.provider_kind == provider_kind, service_sessions.c.provider_id.in_(provider_ids),
        service_sessions.c.state == "confirmed", service_sessions.c.started_at >= since,
        service_sessions.c.started_at < until).group_by(service_sessions.c.provider_id))).all()
    return dict(rows)


async def claims_held(session: AsyncSession, claimant_kind: str, claimant_ids: list[str]) -> dict[str, int]:
    if not claimant_ids:
        return {}
    rows = (await session.execute(select(claims.c.claimant_id, func.count()).where(
        claims.c.claimant_kind == claimant_kind, claims.c.claimant_id.in_(claimant_ids),
        claims.c.state.in_(("approved", "completed"))).group_by(claims.c.claimant_id))).all()
    return dict(rows)


async def counts_by_community(session: AsyncSession, path: str) -> dict[str, dict[str, int]]:
    """community code -> expected and registered units and members under the area."""
    out: dict[str, dict[str, int]] = {}

    def put(rows, key: str) -> None:
        for community, count in rows:
            if community is not None:
                out.setdefault(community, {})[key] = count

    put((await session.execute(select(unit_copy.c.community_code, func.count())
                               .where(_under(unit_copy.c.community_path, path))
                               .group_by(unit_copy.c.community_code))).all(), "units_expected")
    put((await session.execute(select(member_copy.c.community_code, func.count())
                               .where(_under(member_copy.c.community_path, path), member_copy.c.in_service.is_(True),
                                      member_copy.c.left.is_(False))
                               .group_by(member_copy.c.community_code))).all(), "members_expected")
    for kind in ("unit", "member"):
        put((await session.execute(select(registrations.c.community_code, func.count())
                                   .where(_under(registrations.c.community_path, path), registrations.c.kind == kind,
                                          registrations.c.state == "approved")
                                   .group_by(registrations.c.community_code))).all(), f"{kind}s_registered")
    return out


async def activity_by_community(session: AsyncSession, path: str, since: datetime, until: datetime) -> dict[str, dict]:
    """community code -> active members (with a confirmed service in the period) and confirmed minutes."""
    out: dict[str, dict] = {}
    in_period = (_under(service_sessions.c.community_path, path), service_sessions.c.state == "confirmed",
                 service_sessions.c.started_at >= since, service_sessions.c.started_at < until)
    for community, active in (await session.execute(
            select(service_sessions.c.community_code, func.count(distinct(service_sessions.c.provider_id)))
            .where(*in_period, service_sessions.c.provider_kind == "member")
            .group_by(service_sessions.c.community_code))).all():
        out.setdefault(community, {})["active_members"] = active
    return out


async def ratings_by_community(session: AsyncSession, path: str, periods: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for community, rating, count in (await session.execute(
            select(evaluations.c.community_code, evaluations.c.rating, func.count())
            .where(_under(evaluations.c.community_path, path), evaluations.c.state == "published",
                   evaluations.c.period.in_(periods))
            .group_by(evaluations.c.community_code, evaluations.c.rating))).all():
        out.setdefault(community, {})[rating] = count
    return out
