"""Queries over service sessions, check-in codes and the hours ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.ledger import Transfer, signed
from dual_registration.domain.service_log import ConfirmationHistory, ServiceState, Window
from dual_registration.store.tables import checkin_codes, ledger_movements, ledger_transfers, service_sessions

COUNTING = (ServiceState.LOGGED.value, ServiceState.CONFIRMED.value)


class ServiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(service_sessions.insert().values(**values))

    async def get(self, service_id: str, *, for_update: bool = False):
        query = select(service_sessions).where(service_sessions.c.id == service_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def update(self, service_id: str, **values: Any) -> None:
        await self.session.execute(update(service_sessions).where(service_sessions.c.id == service_id).values(**values))

    async def confirmed_by_resident(self, resident: str, provider_kind: str, provider_id: str, since: datetime) -> int:
        """Minutes of one provider's service this resident account confirmed since `since`."""
        return (await self.session.execute(select(func.coalesce(func.sum(service_sessions.c.minutes), 0)).where(
            service_sessions.c.decided_by == resident, service_sessions.c.decided_as == "resident",
            service_sessions.c.state == ServiceState.CONFIRMED.value, service_sessions.c.provider_kind == provider_kind,
            service_sessions.c.provider_id == provider_id, service_sessions.c.decided_at >= since))).scalar_one()

    async def confirmation_history(self, resident: str, provider_kind: str, provider_id: str,
                                   window_start: datetime, week_start: datetime) -> ConfirmationHistory:
        """What this resident account confirmed before: sessions of this provider since `window_start`, and distinct
        providers since `week_start` (review_flags reads them)."""
        mine = (service_sessions.c.decided_by == resident, service_sessions.c.decided_as == "resident",
                service_sessions.c.state == ServiceState.CONFIRMED.value)
        same = (await self.session.execute(select(func.count()).where(
            *mine, service_sessions.c.provider_kind == provider_kind, service_sessions.c.provider_id == provider_id,
            service_sessions.c.decided_at >= window_start))).scalar_one()
        providers = (await self.session.execute(select(func.count(func.distinct(service_sessions.c.provider_id))).where(
            *mine, service_sessions.c.decided_at >= week_start))).scalar_one()
        return ConfirmationHistory(same_provider_sessions=same, providers_this_week=providers)

    async def overlapping(self, provider_kind: str, provider_id: str, window: Window) -> list[Window]:
        rows = (await self.session.execute(select(service_sessions.c.started_at, service_sessions.c.ended_at).where(
            service_sessions.c.provider_kind == provider_kind, service_sessions.c.provider_id == provider_id,
            service_sessions.c.state.in_(COUNTING), service_sessions.c.started_at < window.ends_at,
            service_sessions.c.ended_at > window.starts_at))).all()
        return [Window(r.started_at, r.ended_at) for r in rows]

    async def list(self, *, scope_path: str, provider_kind: str | None, provider_id: str | None, state: str | None,
                   served_resident_ref: str | None, since: datetime | None, until: datetime | None,
                   after: str | None, limit: int, flagged: bool = False) -> list[dict[str, Any]]:
        query = select(service_sessions).where(service_sessions.c.community_path.startswith(scope_path, autoescape=True))
        if flagged:
            query = query.where(service_sessions.c.review_flags.is_not(None))
        for column, value in (("provider_kind", provider_kind), ("provider_id", provider_id), ("state", state),
                              ("served_resident_ref", served_resident_ref)):
            if value is not None:
                query = query.where(service_sessions.c[column] == value)
        if since is not None:
            query = query.where(service_sessions.c.started_at >= since)
        if until is not None:
            query = query.where(service_sessions.c.started_at < until)
        if after is not None:
            query = query.where(service_sessions.c.id > after)
        rows = (await self.session.execute(query.order_by(service_sessions.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]


class CheckinCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(checkin_codes.insert(), rows)

    async def get(self, code: str):
        return (await self.session.execute(select(checkin_codes).where(checkin_codes.c.code == code))).first()

    async def mark_used(self, code: str, member_id: str, service_id: str, now: datetime) -> bool:
        """Only the first use wins, even when two phones scan the same code at once."""
        result = await self.session.execute(
            update(checkin_codes).where(checkin_codes.c.code == code, checkin_codes.c.used_at.is_(None))
            .values(used_at=now, used_by=member_id, service_id=service_id))
        return result.rowcount == 1


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def balances(self, accounts: Iterable[str]) -> dict[str, int]:
        accounts = list(accounts)
        found = {a: 0 for a in accounts}
        rows = (await self.session.execute(
            select(ledger_movements.c.account, func.sum(ledger_movements.c.effect))
            .where(ledger_movements.c.account.in_(accounts)).group_by(ledger_movements.c.account))).all()
        found.update({a: int(m or 0) for a, m in rows})
        return found

    async def post(self, transfer_id: str, transfer: Transfer, service_started_at: datetime, now: datetime) -> None:
        await self.session.execute(ledger_transfers.insert().values(
            id=transfer_id, service_id=transfer.service_id, minutes=transfer.minutes,
            service_started_at=service_started_at, posted_at=now))
        await self.session.execute(ledger_movements.insert(), [
            {"transfer_id": transfer_id, "account": m.account, "side": m.side.value, "minutes": m.minutes,
             "effect": signed(m), "service_started_at": service_started_at} for m in transfer.movements])

    async def movements(self, account_name: str, *, since: datetime | None, until: datetime | None,
                        after: int | None, limit: int) -> list[dict[str, Any]]:
        query = (select(ledger_movements, ledger_transfers.c.service_id, ledger_transfers.c.posted_at)
                 .join(ledger_transfers, ledger_transfers.c.id == ledger_movements.c.transfer_id)
                 .where(ledger_movements.c.account == account_name))
        if since is not None:
            query = query.where(ledger_movements.c.service_started_at >= since)
        if until is not None:
            query = query.where(ledger_movements.c.service_started_at < until)
        if after is not None:
            query = query.where(ledger_movements.c.id > after)
        rows = (await self.session.execute(query.order_by(ledger_movements.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]

    async def balance_in(self, account_name: str, since: datetime | None = None, until: datetime | None = None) -> int:
        query = select(func.coalesce(func.sum(ledger_movements.c.effect), 0)).where(ledger_movements.c.account == account_name)
        if since is not None:
            query = query.where(ledger_movements.c.service_started_at >= since)
        if until is not None:
            query = query.where(ledger_movements.c.service_started_at < until)
        return int((await self.session.execute(query)).scalar_one())

    async def totals_by_account(self, accounts: list[str], since: datetime, until: datetime) -> dict[str, int]:
        if not accounts:
            return {}
        rows = (await self.session.execute(
            select(ledger_movements.c.account, func.sum(ledger_movements.c.effect))
            .where(ledger_movements.c.account.in_(accounts), ledger_movements.c.service_started_at >= since,
                   ledger_movements.c.service_started_at < until)
            .group_by(ledger_movements.c.account))).all()
        return {a: int(m or 0) for a, m in rows}
