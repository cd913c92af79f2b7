"""Registering, changing and closing venues (each offered to matching as a resource of kind venue),
and booking them without double bookings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from project_matching.events import NAMESPACE
from project_matching.guarantee.domain.errors import VenueRuleViolation
from project_matching.guarantee.domain.venues import (BOOKING_MACHINE, BOOKING_PROJECT_STATES, Booking, BookingState,
                                                      Interval, Venue, check_booking, check_venue, open_days)
from project_matching.guarantee.store.venues import VenueRepository, hours_json
from project_matching.guarantee.use_cases.funds import fundable_project, known_organization
from project_matching.store.resources import ResourceRepository
from project_matching.use_cases.access import area_in_scope, not_found
from project_matching.use_cases.errors import BookingConflict, OrganizationDissolved, VenueNotOpen
from project_matching.use_cases.publishing import record
from project_matching.use_cases.resources import add_resource, resource_event, withdraw_resource
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.contracts.guarantee import (OpeningInterval, VenueBooked, VenueBookingCancelled, VenueClosed,
                                        VenueRegistered, VenueUpdated)
from yizhou.contracts.resources import ResourceUpdated
from yizhou.database import Database
from yizhou.errors import ApplicationError, RuleViolated
from yizhou.state_machine import IllegalTransition, as_problem

KEEPERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})



def _rule(exc: VenueRuleViolation) -> ApplicationError:
    return RuleViolated(str(exc))


def _described(cls, v: Venue, now: datetime):
    return cls(venue_id=v.id, area_code=v.area_code, area_path=v.area_path, occurred_at=now, venue_name=v.name,
               kind=v.kind, owner_organization_id=v.owner_organization_id, capacity=v.capacity,
               opening_hours=[OpeningInterval(weekday=i.weekday, opens=i.opens, closes=i.closes)
                              for i in v.opening_hours],
               facilities=list(v.facilities), categories=list(v.categories), resource_id=v.resource_id,
               state=v.state)


def _booking_event(cls, v: Venue, b: Booking, now: datetime):
    return cls(venue_id=v.id, area_code=v.area_code, area_path=v.area_path, occurred_at=now, booking_id=b.id,
               booker_kind=b.booker_kind, booker_id=b.booker_id, starts_at=b.starts_at, ends_at=b.ends_at,
               attendees=b.attendees)


async def _visible(repo: VenueRepository, scope: AreaScope, venue_id: str) -> Venue:
    venue = await repo.get(venue_id)
    if venue is None or not scope.covers(venue.area_path):
        raise not_found("venue", venue_id)
    return venue


async def register(db: Database, scope: AreaScope, body: dict[str, Any]) -> Venue:
    require_role(scope, KEEPERS, "register venues")
    hours = [Interval(**i) for i in body["opening_hours"]]
    try:
        check_venue(capacity=body["capacity"], opening_hours=hours, categories=body["categories"],
                    known_categories=SERVICE_CATEGORIES)
    except VenueRuleViolation as exc:
        raise _rule(exc) from None
    now = datetime.now(UTC)
    venue_id = str(uuid.uuid4())
    async with db.unit_of_work() as uow:
        area = await area_in_scope(uow.session, scope, body["area_code"])
        owner = await known_organization(uow.session, scope, body["owner_organization_id"], "owner_organization_id")
        if owner.dissolved:
            raise OrganizationDissolved(f"Organization '{owner.id}' is dissolved; it owns no new venue.")
        origin = f"venue:{venue_id}"
        # Offered to matching: one need per open weekday in a period; no windows (opening hours are weekly).
        resource = await add_resource(
            ResourceRepository(uow.session), uow, kind="venue", title=body["name"], provider_kind="party_organization",
            provider_id=owner.id, area_code=area.code, area_path=area.path, categories=list(body["categories"]),
            skills=[], capacity=open_days(hours), amount_fen=None, latitude=None, longitude=None, windows=[],
            origin=origin, now=now, resource_id=str(uuid.uuid5(NAMESPACE, origin)))
        venue = await VenueRepository(uow.session).add(dict(
            id=venue_id, name=body["name"], kind=body["kind"], owner_organization_id=owner.id, area_code=area.code,
            area_path=area.path, capacity=body["capacity"], opening_hours=hours_json(sorted(
                hours, key=lambda i: (i.weekday, i.minutes))), facilities=list(dict.fromkeys(body["facilities"])),
            categories=list(dict.fromkeys(body["categories"])), state="open", resource_id=resource.id,
            created_at=now, updated_at=now))
        record(uow, _described(VenueRegistered, venue, now), venue.id)
        await uow.commit()
    return venue


async def change(db: Database, scope: AreaScope, venue_id: str, changes: dict[str, Any]) -> Venue:
    require_role(scope, KEEPERS, "change venues")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        repo = VenueRepository(uow.session)
        current = await _visible(repo, scope, venue_id)
        if current.state != "open":
            raise VenueNotOpen(f"Venue '{venue_id}' is closed.")
        hours = [Interval(**i) for i in changes["opening_hours"]] if "opening_hours" in changes \
            else list(current.opening_hours)
        categories = changes.get("categories", list(current.categories))
        try:
            check_venue(capacity=changes.get("capacity", current.capacity), opening_hours=hours,
                        categories=categories, known_categories=SERVICE_CATEGORIES)
        except VenueRuleViolation as exc:
            raise _rule(exc) from None
        values = {k: v for k, v in changes.items() if k != "opening_hours"}
        if "opening_hours" in changes:
            values["opening_hours"] = hours_json(sorted(hours, key=lambda i: (i.weekday, i.minutes)))
        venue = await repo.change(venue_id, {**values, "updated_at": now})
        resources = ResourceRepository(uow.session)
        await resources.change(venue.resource_id, {"title": venue.name, "categories": list(venue.categories),
                                                   "capacity": open_days(hours), "updated_at": now})
        record(uow, resource_event(ResourceUpdated, await resources.get(venue.resource_id)), venue.resource_id)
        record(uow, _described(VenueUpdated, venue, now), venue.id)
        await uow.commit()
    return venue


async def close(db: Database, scope: AreaScope, venue_id: str) -> Venue:
    """Closes the venue: its bookings still to come are cancelled and its resource withdrawn."""
    require_role(scope, KEEPERS, "close venues")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        repo = VenueRepository(uow.session)
        await _visible(repo, scope, venue_id)
        await repo.lock_for_booking(venue_id)  # no booking slips in while it closes
        current = await repo.get(venue_id)
        if current.state != "open":
            raise VenueNotOpen(f"Venue '{venue_id}' is already closed.")
        for booking in await repo.live_from(venue_id, now):
            cancelled = await repo.cancel_booking(booking.id, now)
            record(uow, _booking_event(VenueBookingCancelled, current, cancelled, now), venue_id)
        venue = await repo.change(venue_id, {"state": "closed", "updated_at": now})
        resources = ResourceRepository(uow.session)
        resource = await resources.get(venue.resource_id)
        if resource is not None and resource.state == "active":
            await withdraw_resource(resources, uow, resource, now)
        record(uow, _described(VenueClosed, venue, now), venue.id)
        await uow.commit()
    return venue


async def get(db: Database, scope: AreaScope, venue_id: str) -> Venue:
    require_role(scope, STAFF_ROLES, "read venues")
    async with db.sessions() as session:
        return await _visible(VenueRepository(session), scope, venue_id)


async def list_venues(db: Database, scope: AreaScope, *, area_code: str | None, **filters: Any) -> list[Venue]:
    require_role(scope, STAFF_ROLES, "read venues")
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        return await VenueRepository(session).list(under_path=path, **filters)


async def book(db: Database, scope: AreaScope, venue_id: str, body: dict[str, Any]) -> Booking:
    require_role(scope, STAFF_ROLES, "book venues")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        repo = VenueRepository(uow.session)
        venue = await _visible(repo, scope, venue_id)
        if body["booker_kind"] == "organization":
            booker = await known_organization(uow.session, scope, body["booker_id"], "booker_id")
            if booker.dissolved:
                raise OrganizationDissolved(f"Organization '{booker.id}' is dissolved.")
        else:
            await fundable_project(uow.session, scope, body["booker_id"], BOOKING_PROJECT_STATES, "booker_id")
        try:
            check_booking(opening_hours=list(venue.opening_hours), capacity=venue.capacity,
                          starts_at=body["starts_at"], ends_at=body["ends_at"], attendees=body["attendees"], now=now)
        except VenueRuleViolation as exc:
            raise _rule(exc) from None
        await repo.lock_for_booking(venue_id)
        venue = await repo.get(venue_id)  # as of the lock: it may have closed meanwhile
        if venue.state != "open":
            raise VenueNotOpen(f"Venue '{venue_id}' is closed.")
        taken = await repo.overlapping(venue_id, body["starts_at"], body["ends_at"])
        if taken:
            raise BookingConflict(f"Venue '{venue.name}' is booked from {taken[0].starts_at.isoformat()} "
                                              f"to {taken[0].ends_at.isoformat()}.",
                          conflicts=[{"booking_id": b.id, "starts_at": b.starts_at.isoformat(),
                                      "ends_at": b.ends_at.isoformat()} for b in taken])
        booking = await repo.add_booking(dict(
            id=str(uuid.uuid4()), venue_id=venue_id, booker_kind=body["booker_kind"], booker_id=body["booker_id"],
            attendees=body["attendees"], purpose=body.get("purpose", ""), starts_at=body["starts_at"],
            ends_at=body["ends_at"], state=BookingState.BOOKED.value, booked_by=scope.caller.subject[:200],
            created_at=now, cancelled_at=None))
        record(uow, _booking_event(VenueBooked, venue, booking, now), venue_id)
        await uow.commit()
    return booking


async def cancel(db: Database, scope: AreaScope, venue_id: str, booking_id: str) -> Booking:
    require_role(scope, STAFF_ROLES, "cancel bookings")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        repo = VenueRepository(uow.session)
        venue = await _visible(repo, scope, venue_id)
        booking = await repo.booking(booking_id)
        if booking is None or booking.venue_id != venue_id:
            raise not_found("booking", booking_id)
        try:
            BOOKING_MACHINE.check(booking.state, BookingState.CANCELLED)
        except IllegalTransition as exc:
            raise as_problem(exc) from None
        cancelled = await repo.cancel_booking(booking_id, now)
        record(uow, _booking_event(VenueBookingCancelled, venue, cancelled, now), venue_id)
        await uow.commit()
    return cancelled


async def bookings(db: Database, scope: AreaScope, venue_id: str, **filters: Any) -> list[Booking]:
    require_role(scope, STAFF_ROLES, "read bookings")
    async with db.sessions() as session:
        repo = VenueRepository(session)
        await _visible(repo, scope, venue_id)
        return await repo.bookings(venue_id, **filters)
