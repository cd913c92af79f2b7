"""Fund accounts and entries, and the organizations they belong to (the read copy of org-registry's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.domain.funds import Entry
from project_matching.guarantee.store.tables import fund_accounts, fund_entries, organization_copy


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: str
    area_code: str
    area_path: str
    dissolved: bool


async def organization(session: AsyncSession, organization_id: str) -> Organization | None:
    row = (await session.execute(select(organization_copy)
                                 .where(organization_copy.c.organization_id == organization_id))).first()
    return Organization(row.organization_id, row.name, row.kind, row.area_code, row.area_path,
                        row.dissolved) if row else None


async def organizations_under(session: AsyncSession, path: str, *, after: str | None, limit: int,
                              include_dissolved: bool) -> list[Organization]:
    query = select(organization_copy).where(organization_copy.c.area_path.startswith(path, autoescape=True))
    if not include_dissolved:
        query = query.where(organization_copy.c.dissolved.is_(False))
    if after:
        query = query.where(organization_copy.c.organization_id > after)
    rows = (await session.execute(query.order_by(organization_copy.c.organization_id).limit(limit))).all()
    return [Organization(r.organization_id, r.name, r.kind, r.area_code, r.area_path, r.dissolved) for r in rows]


def to_entry(row) -> Entry:
    return Entry(id=row.id, organization_id=row.organization_id, year=row.year, direction=row.direction,
                 amount_fen=row.amount_fen, source=row.source, purpose=row.purpose, project_id=row.project_id,
                 activity=row.activity, note=row.note, booked_on=row.booked_on,
                 balance_after_fen=row.balance_after_fen)


class FundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def balance(self, organization_id: str, year: int) -> int:
        row = (await self.session.execute(select(fund_accounts.c.income_fen - fund_accounts.c.spent_fen).where(
            fund_accounts.c.organization_id == organization_id, fund_accounts.c.year == year))).first()
        return int(row[0]) if row else 0

    async def receive(self, organization_id: str, year: int, amount_fen: int, now: datetime) -> int:
        """Adds income (opening the year's account on its first entry); returns the new balance."""
        changed = await self.session.execute(update(fund_accounts).where(
            fund_accounts.c.organization_id == organization_id, fund_accounts.c.year == year,
        ).values(income_fen=fund_accounts.c.income_fen + amount_fen, updated_at=now))
        if changed.rowcount == 0:
            await self.session.execute(fund_accounts.insert().values(
                organization_id=organization_id, year=year, income_fen=amount_fen, spent_fen=0, updated_at=now))
        return await self.balance(organization_id, year)

    async def draw(self, organization_id: str, year: int, amount_fen: int, now: datetime) -> int | None:
        """Spends only if the balance covers it, in one conditional UPDATE: concurrent spendings serialize on
        the row and the loser sees the new balance. Returns the new balance, or None when refused."""
        changed = await self.session.execute(update(fund_accounts).where(
            fund_accounts.c.organization_id == organization_id, fund_accounts.c.year == year,
            fund_accounts.c.income_fen - fund_accounts.c.spent_fen >= amount_fen,
        ).values(spent_fen=fund_accounts.c.spent_fen + amount_fen, updated_at=now))
        if changed.rowcount == 0:
            return None
        return await self.balance(organization_id, year)

    async def add_entry(self, values: dict[str, Any]) -> Entry:
        await self.session.execute(fund_entries.insert().values(**values))
        return await self.entry(values["id"])

    async def entry(self, entry_id: str) -> Entry | None:
        row = (await self.session.execute(select(fund_entries).where(fund_entries.c.id == entry_id))).first()
        return to_entry(row) if row else None

    async def entries(self, *, under_path: str, organization_id: str | None, year: int | None, direction: str | None,
                      source: str | None, project_id: str | None, after: str | None, limit: int) -> list[Entry]:
        f = fund_entries
        query = select(f).where(f.c.area_path.startswith(under_path, autoescape=True))
        for column, value in ((f.c.organization_id, organization_id), (f.c.year, year), (f.c.direction, direction),
                              (f.c.source, source), (f.c.project_id, project_id)):
            if value is not None:
                query = query.where(column == value)
        if after:
            query = query.where(f.c.id > after)
        rows = (await self.session.execute(query.order_by(f.c.id).limit(limit))).all()
        return [to_entry(r) for r in rows]

    async def sums(self, *, year: int, organization_id: str | None = None, under_path: str | None = None,
                   by_organization: bool = False) -> list[tuple]:
        """(direction, source, purpose, amount[, organization_id]) sums of a year's entries."""
        f = fund_entries
        keys = [f.c.direction, f.c.source, f.c.purpose] + ([f.c.organization_id] if by_organization else [])
        query = select(*keys, func.sum(f.c.amount_fen)).where(f.c.year == year).group_by(*keys)
        if organization_id is not None:
            query = query.where(f.c.organization_id == organization_id)
        if under_path is not None:
            # Every entry's organization is in the read copy (entries need a known organization): an area's
            # figures are those of the organizations located in its subtree now.
            query = query.where(f.c.organization_id.in_(select(organization_copy.c.organization_id).where(
                organization_copy.c.area_path.startswith(under_path, autoescape=True))))
        return [tuple(r) for r in (await self.session.execute(query)).all()]

    async def by_project(self, *, year: int, organization_id: str) -> list[tuple[str, int]]:
        f = fund_entries
        rows = (await self.session.execute(
            select(f.c.project_id, func.sum(f.c.amount_fen)).where(
                f.c.year == year, f.c.organization_id == organization_id, f.c.project_id.is_not(None))
            .group_by(f.c.project_id).order_by(f.c.project_id))).all()
        return [(r[0], int(r[1])) for r in rows]
