"""Venues and their bookings: rows in, domain `Venue`s and `Booking`s out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.domain.venues import Booking, BookingState, Interval, Venue
from project_matching.guarantee.store.tables import venue_bookings, venues


def hours_json(intervals) -> list[dict[str, Any]]:
    return [{"weekday": i.weekday, "opens": i.opens, "closes": i.closes} for i in intervals]


def to_venue(row) -> Venue:
    return Venue(id=row.id, name=row.name, kind=row.kind, owner_organization_id=row.owner_organization_id,
                 area_code=row.area_code, area_path=row.area_path, capacity=row.capacity,
                 opening_hours=tuple(Interval(i["weekday"], i["opens"], i["closes"]) for i in row.opening_hours),
                 facilities=tuple(row.facilities), categories=tuple(row.categories), state=row.state,
                 resource_id=row.resource_id, updated_at=row.updated_at)


def to_booking(row) -> Booking:
    return Booking(id=row.id, venue_id=row.venue_id, booker_kind=row.booker_kind, booker_id=row.booker_id,
                   attendees=row.attendees, purpose=row.purpose, starts_at=row.starts_at, ends_at=row.ends_at,
                   state=BookingState(row.state), created_at=row.created_at, cancelled_at=row.cancelled_at)


class VenueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, venue_id: str) -> Venue | None:
        row = (await self.session.execute(select(venues).where(venues.c.id == venue_id))).first()
        return to_venue(row) if row else None

    async def add(self, values: dict[str, Any]) -> Venue:
        await self.session.execute(venues.insert().values(booking_seq=0, **values))
        return await self.get(values["id"])

    async def change(self, venue_id: str, values: dict[str, Any]) -> Venue:
        await self.session.execute(update(venues).where(venues.c.id == venue_id).values(**values))
        return await self.get(venue_id)

    async def lock_for_booking(self, venue_id: str) -> None:
        """Serializes bookings of one venue until the transaction ends. An UPDATE takes the row lock on
        PostgreSQL (a concurrent booking waits, then reads the committed bookings) and, as the transaction's
        first write, SQLite's database write lock, so the overlap check that follows sees every booking."""
        await self.session.execute(update(venues).where(venues.c.id == venue_id)
                                   .values(booking_seq=venues.c.booking_seq + 1))

    async def list(self, *, under_path: str, kind: str | None, owner: str | None, state: str | None,
                   facility: str | None, category: str | None, after: str | None, limit: int) -> list[Venue]:
        query = select(venues).where(venues.c.area_path.startswith(under_path, autoescape=True))
        for column, value in ((venues.c.kind, kind), (venues.c.owner_organization_id, owner),
                              (venues.c.state, state)):
            if value is not None:
                query = query.where(column == value)
        if after:
            query = query.where(venues.c.id > after)
        query = query.order_by(venues.c.id)
        # Facilities and categories are JSON lists: filtered here, portably, rather than with JSON operators.
        filtered = facility is not None or category is not None
        rows = (await self.session.execute(query if filtered else query.limit(limit))).all()
        found = [to_venue(r) for r in rows]
        found = [v for v in found if (facility is None or facility in v.facilities)
                 and (category is None or category in v.categories)]
        return found[:limit]

    async def overlapping(self, venue_id: str, starts_at: datetime, ends_at: datetime) -> list[Booking]:
        b = venue_bookings.c
        rows = (await self.session.execute(select(venue_bookings).where(
            b.venue_id == venue_id, b.state == BookingState.BOOKED.value, b.starts_at < ends_at,
            b.ends_at > starts_at).order_by(b.starts_at))).all()
        return [to_booking(r) for r in rows]

    async def add_booking(self, values: dict[str, Any]) -> Booking:
        await self.session.execute(venue_bookings.insert().values(**values))
        return await self.booking(values["id"])

    async def booking(self, booking_id: str) -> Booking | None:
        row = (await self.session.execute(select(venue_bookings).where(venue_bookings.c.id == booking_id))).first()
        return to_booking(row) if row else None

    async def cancel_booking(self, booking_id: str, now: datetime) -> Booking:
        await self.session.execute(update(venue_bookings).where(venue_bookings.c.id == booking_id).values(
            state=BookingState.CANCELLED.value, cancelled_at=now))
        return await self.booking(booking_id)

    async def bookings(self, venue_id: str, *, starts_from: datetime | None, starts_before: datetime | None,
                       state: str | None, after: str | None, limit: int) -> list[Booking]:
        b = venue_bookings.c
        query = select(venue_bookings).where(b.venue_id == venue_id)
        if starts_from is not None:
            query = query.where(b.starts_at >= starts_from)
        if starts_before is not None:
            query = query.where(b.starts_at < starts_before)
        if state is not None:
            query = query.where(b.state == state)
        if after:
            query = query.where(b.id > after)
        rows = (await self.session.execute(query.order_by(b.id).limit(limit))).all()
        return [to_booking(r) for r in rows]

    async def live_from(self, venue_id: str, now: datetime) -> list[Booking]:
        b = venue_bookings.c
        rows = (await self.session.execute(select(venue_bookings).where(
            b.venue_id == venue_id, b.state == BookingState.BOOKED.value, b.ends_at > now))).all()
        return [to_booking(r) for r in rows]
