"""Queries over deliberation meetings and their agendas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.meeting import Decision, DecisionKind, Meeting, MeetingState
from demand_intake.store.tables import AgendaItemRow, MeetingRow
from yizhou.errors import Conflict


def _decisions(raw: list | None) -> list[Decision]:
    return [Decision(DecisionKind(d["kind"]), list(d["demand_ids"]), d["category"], d["summary"]) for d in raw or []]


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, meeting_id: str) -> Meeting | None:
        row = await self.session.get(MeetingRow, meeting_id)
        if row is None:
            return None
        agenda = (await self.session.execute(select(AgendaItemRow.demand_id).where(AgendaItemRow.meeting_id == meeting_id)
                                             .order_by(AgendaItemRow.added_at, AgendaItemRow.demand_id))).scalars().all()
        return Meeting(id=row.id, area_code=row.area_code, area_path=row.area_path, title=row.title,
                       scheduled_at=row.scheduled_at, created_by=row.created_by, state=MeetingState(row.state),
                       agenda=list(agenda), attendees=list(row.attendees or []), minutes=row.minutes,
                       decisions=_decisions(row.decisions), closed_at=row.closed_at, version=row.version)

    async def add(self, m: Meeting) -> None:
        self.session.add(MeetingRow(id=m.id, area_code=m.area_code, area_path=m.area_path, title=m.title,
                                    scheduled_at=m.scheduled_at, state=m.state.value, created_by=m.created_by,
                                    attendees=m.attendees, minutes=m.minutes, decisions=[], version=1))

    async def save(self, m: Meeting) -> None:
        result = await self.session.execute(
            update(MeetingRow).where(MeetingRow.id == m.id, MeetingRow.version == m.version).values(
                state=m.state.value, attendees=m.attendees, minutes=m.minutes, closed_at=m.closed_at,
                decisions=[{"kind": d.kind.value, "demand_ids": d.demand_ids, "category": d.category,
                            "summary": d.summary} for d in m.decisions],
                version=m.version + 1).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict(f"Meeting {m.id} was changed by someone else meanwhile; reload and retry.")
        m.version += 1

    async def add_agenda_item(self, meeting_id: str, demand_id: str, note: str | None, at: datetime) -> bool:
        if await self.session.get(AgendaItemRow, (meeting_id, demand_id)) is not None:
            return False
        self.session.add(AgendaItemRow(meeting_id=meeting_id, demand_id=demand_id, note=note, added_at=at))
        return True

    async def list(self, *, under_path: str, state: str | None, after: tuple[datetime, str] | None, limit: int) -> list[Meeting]:
        query = select(MeetingRow.id).where(MeetingRow.area_path.startswith(under_path, autoescape=True))
        if state:
            query = query.where(MeetingRow.state == state)
        if after is not None:
            at, last = after
            query = query.where(or_(MeetingRow.scheduled_at < at, and_(MeetingRow.scheduled_at == at, MeetingRow.id < last)))
        ids = (await self.session.execute(query.order_by(MeetingRow.scheduled_at.desc(), MeetingRow.id.desc()).limit(limit))).scalars().all()
        return [await self.get(i) for i in ids]
