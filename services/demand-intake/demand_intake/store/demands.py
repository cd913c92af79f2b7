"""Queries over demands, their history, me-too marks and dispatches; rows come out as domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.demand import Channel, Demand, Feedback, PriorityHousehold, Resident, State, Urgency
from demand_intake.domain.duplicates import Candidate, Place
from demand_intake.store.tables import DemandHistoryRow, DemandRow, DispatchRow, MeTooRow
from yizhou.pending_inserts import insert_at_commit
from yizhou.errors import Conflict

_COPIED = ("id", "category", "description", "area_code", "area_path", "area_level", "entered_by", "entered_by_role",
           "submitted_at", "resident_subject", "latitude", "longitude", "address", "complex", "handling_area_code",
           "handling_level", "accountable_area_code", "first_receiver", "assignee", "assignee_unit_id", "me_too_count", "merged_into",
           "contact_attempted_at", "responded_at", "resolved_at", "closed_at", "updated_at", "version")
_SETTLED = [s.value for s in (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED)]
_DEMANDS = DemandRow.__table__
_HISTORY = DemandHistoryRow.__table__


def to_demand(row: DemandRow) -> Demand:
    return Demand(
        channel=Channel(row.channel), urgency=Urgency(row.urgency), state=State(row.state),
        resident=Resident(name=row.resident_name, phone=row.resident_phone, anonymous=row.anonymous),
        priority_household=PriorityHousehold(row.priority_household) if row.priority_household else None,
        feedback=Feedback(row.feedback) if row.feedback else None,
        **{name: getattr(row, name) for name in _COPIED})


def row_values(demand: Demand) -> dict:
    values = {name: getattr(demand, name) for name in _COPIED if name != "version"}
    values.update(channel=demand.channel.value, urgency=demand.urgency.value, state=demand.state.value,
                  resident_name=demand.resident.name, resident_phone=demand.resident.phone,
                  anonymous=demand.resident.anonymous,
                  priority_household=demand.priority_household.value if demand.priority_household else None,
                  feedback=demand.feedback.value if demand.feedback else None)
    return values


def _like_prefix(path: str) -> str:
    """`LIKE` pattern of the paths starting with `path` (escaped as `startswith(..., autoescape=True)` does)."""
    return path.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _candidates_query(excluding: bool):
    d = _DEMANDS.c  # Core columns: plain rows, no ORM entity machinery
    # The subtree as a key range too: area paths compare byte by byte (SQLite; the "C" collation on
    # PostgreSQL, migration 0004), so the range is exact and ix_demands_area_path serves it, where SQLite
    # never uses an index for LIKE ... ESCAPE. The state as NOT IN, which no index serves, keeps the
    # planner off ix_demands_state (every open demand of the district: 11 ms a submit at 50,000; 2 ms so).
    query = (select(d.id, d.area_code, d.latitude, d.longitude, d.description, d.category, d.submitted_at)
             .where(d.area_path.like(bindparam("pattern"), escape="/"), d.area_path >= bindparam("low"),
                    d.area_path < bindparam("high"), d.submitted_at >= bindparam("since"), d.state.not_in(_SETTLED))
             .order_by(d.submitted_at.desc()).limit(500))
    if excluding:
        query = query.where(d.id != bindparam("exclude_id"))
    return query


# Built once (every submit runs one): no statement construction or cache key per call.
_CANDIDATES = {excluding: _candidates_query(excluding) for excluding in (True, False)}


class DemandRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, demand_id: str) -> Demand | None:
        row = await self.session.get(DemandRow, demand_id)
        return to_demand(row) if row else None

    async def add(self, demand: Demand) -> None:
        # Held for the commit (with the clocks, history and outbox rows: one statement on PostgreSQL);
        # nothing reads the new row back in the same unit of work, and the submit path is hot.
        await insert_at_commit(self.session, _DEMANDS, {**row_values(demand), "version": 1})

    async def save(self, demand: Demand) -> None:
        """Optimistic: the row must still be at the version it was read at, else a concurrent change won."""
        result = await self.session.execute(
            update(DemandRow).where(DemandRow.id == demand.id, DemandRow.version == demand.version)
            .values(**row_values(demand), version=demand.version + 1).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict(f"Demand {demand.id} was changed by someone else meanwhile; reload and retry.")
        demand.version += 1

    async def log(self, demand_id: str, action: str, from_state: State | None, to_state: State, actor: str,
                  actor_role: str, note: str | None, at: datetime) -> None:
        await insert_at_commit(self.session, _HISTORY, {
            "demand_id": demand_id, "action": action, "from_state": from_state.value if from_state else None,
            "to_state": to_state.value, "actor": actor, "actor_role": actor_role, "note": note, "at": at})

    async def history(self, demand_id: str) -> list[DemandHistoryRow]:
        query = select(DemandHistoryRow).where(DemandHistoryRow.demand_id == demand_id).order_by(DemandHistoryRow.id)
        return list((await self.session.execute(query)).scalars().all())

    async def has_history_note(self, demand_id: str, note: str) -> bool:
        query = select(DemandHistoryRow.id).where(DemandHistoryRow.demand_id == demand_id, DemandHistoryRow.note == note)
        return (await self.session.execute(query.limit(1))).first() is not None

    async def list(self, *, under_path: str, state: list[str] | None = None, category: str | None = None,
                   channel: str | None = None, area_code: str | None = None, handling_area_code: str | None = None,
                   submitted_from: datetime | None = None, submitted_to: datetime | None = None,
                   resident_subject: str | None = None, ids: list[str] | None = None,
                   after: tuple[datetime, str] | None = None, limit: int = 50) -> list[Demand]:
        query = select(DemandRow).where(DemandRow.area_path.startswith(under_path, autoescape=True))
        if state:
            query = query.where(DemandRow.state.in_(state))
        if category:
            query = query.where(DemandRow.category == category)
        if channel:
            query = query.where(DemandRow.channel == channel)
        if area_code:
            query = query.where(DemandRow.area_code == area_code)
        if handling_area_code:
            query = query.where(DemandRow.handling_area_code == handling_area_code)
        if submitted_from:
            query = query.where(DemandRow.submitted_at >= submitted_from)
        if submitted_to:
            query = query.where(DemandRow.submitted_at < submitted_to)
        if resident_subject:
            query = query.where(DemandRow.resident_subject == resident_subject)
        if ids is not None:
            query = query.where(DemandRow.id.in_(ids))
        if after is not None:  # keyset: newest first, id breaks ties
            at, last_id = after
            query = query.where(or_(DemandRow.submitted_at < at, and_(DemandRow.submitted_at == at, DemandRow.id < last_id)))
        query = query.order_by(DemandRow.submitted_at.desc(), DemandRow.id.desc()).limit(limit)
        return [to_demand(r) for r in (await self.session.execute(query)).scalars().all()]

    async def duplicate_candidates(self, community_path: str, since: datetime, exclude_id: str | None = None) -> list[Candidate]:
        """Open demands in the same community (or subtree) since `since`; the domain decides which match."""
        params = {"pattern": _like_prefix(community_path), "since": since,
                  "low": community_path, "high": community_path[:-1] + chr(ord("/") + 1)}  # as `in_subtree`
        if exclude_id:
            params["exclude_id"] = exclude_id
        rows = await self.session.execute(_CANDIDATES[bool(exclude_id)], params)
        # Unpacked by position (the query's column order): a row's attribute lookups were most of this loop.
        return [Candidate(demand_id, Place(area_code, latitude, longitude), description, category, submitted_at)
                for demand_id, area_code, latitude, longitude, description, category, submitted_at in rows.all()]

    async def add_me_too(self, demand_id: str, subject: str, at: datetime) -> bool:
        """False when this person already said "me too" (each person counts once)."""
        exists = await self.session.get(MeTooRow, (demand_id, subject))
        if exists is not None:
            return False
        self.session.add(MeTooRow(demand_id=demand_id, subject=subject, at=at))
        await self.session.flush()
        return True

    async def me_too_subjects(self, demand_id: str) -> set[str]:
        query = select(MeTooRow.subject).where(MeTooRow.demand_id == demand_id)
        return set((await self.session.execute(query)).scalars().all())

    async def add_me_too_many(self, demand_id: str, subjects: set[str], at: datetime) -> None:
        """Marks people as behind the demand (a merge brings the duplicate's); the caller left out those
        already marked."""
        self.session.add_all([MeTooRow(demand_id=demand_id, subject=s, at=at) for s in sorted(subjects)])

    async def add_dispatch(self, row: DispatchRow) -> None:
        self.session.add(row)

    async def dispatches(self, demand_id: str) -> list[DispatchRow]:
        query = select(DispatchRow).where(DispatchRow.demand_id == demand_id).order_by(DispatchRow.dispatched_at, DispatchRow.id)
        return list((await self.session.execute(query)).scalars().all())

    async def dispatch(self, demand_id: str, dispatch_id: str) -> DispatchRow | None:
        row = await self.session.get(DispatchRow, dispatch_id)
        return row if row is not None and row.demand_id == demand_id else None

    async def count_open_in(self, under_path: str) -> int:
        query = select(func.count()).where(DemandRow.area_path.startswith(under_path, autoescape=True),
                                           DemandRow.state.not_in(["closed", "rejected", "withdrawn", "merged"]))
        return (await self.session.execute(query)).scalar_one()
