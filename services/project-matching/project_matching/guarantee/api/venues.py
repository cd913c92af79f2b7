"""/api/v1/venues: party-mass service centres and other venues, their opening hours and bookings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from project_matching.api.parameters import After, Id, Limit, SubtreeCode
from yizhou.list_parameters import From, To
from project_matching.api.responses import PROBLEMS
from project_matching.guarantee.api.schemas import (BookingIn, BookingOut, OpeningOut, VenueIn, VenueOut,
                                                    VenuePatch)
from project_matching.guarantee.domain.venues import BOOKING_MACHINE, Booking, Venue
from project_matching.guarantee.use_cases import venues as use_cases
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/venues", tags=["guarantee: venues"])
VENUE_PROBLEMS = {**PROBLEMS, 409: {"description": "booking-conflict (overlaps a booking, listed in `conflicts`), "
                                                   "venue-closed, organization-dissolved, project-not-ready, "
                                                   "illegal-transition (cancelling a cancelled booking)"},
                  422: {"description": "validation, unknown-reference (owner or booker unknown or outside your "
                                       "area), rule-violated (outside opening hours, over capacity, in the past, "
                                       "overlapping opening intervals)"}}
Text = Annotated[str | None, Query(max_length=64)]


def out(v: Venue) -> VenueOut:
    return VenueOut(id=v.id, name=v.name, kind=v.kind, owner_organization_id=v.owner_organization_id,
                    area_code=v.area_code, area_path=v.area_path, capacity=v.capacity,
                    opening_hours=[OpeningOut(weekday=i.weekday, opens=i.opens, closes=i.closes)
                                   for i in v.opening_hours],
                    facilities=list(v.facilities), categories=list(v.categories), state=v.state,
                    resource_id=v.resource_id, updated_at=v.updated_at)


def booking_out(b: Booking) -> BookingOut:
    return BookingOut(id=b.id, venue_id=b.venue_id, booker_kind=b.booker_kind, booker_id=b.booker_id,
                      attendees=b.attendees, purpose=b.purpose, starts_at=b.starts_at, ends_at=b.ends_at,
                      state=b.state.value, allowed_next_states=BOOKING_MACHINE.allowed_from(b.state),
                      created_at=b.created_at, cancelled_at=b.cancelled_at)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=VenueOut, responses=VENUE_PROBLEMS,
             summary="Register a venue (also offered to matching as a resource of kind venue)")
async def register(body: VenueIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> VenueOut:
    venue = await use_cases.register(db, scope, body.model_dump())
    response.headers["Location"] = f"/api/v1/venues/{venue.id}"
    return out(venue)


@router.get("", response_model=Page[VenueOut], responses=PROBLEMS,
            summary="Venues in your area (filters: area, kind, owner organization, state, facility, category)")
async def list_venues(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                      kind: Literal["party_mass_service_centre", "activity_room", "meeting_room", "sports_ground",
                                    "other"] | None = None,
                      owner_organization_id: Text = None, state: Literal["open", "closed"] | None = "open",
                      facility: Text = None, category: Text = None, after: After = None,
                      limit: Limit = 100) -> Page[VenueOut]:
    found = await use_cases.list_venues(db, scope, area_code=area_code, kind=kind, owner=owner_organization_id,
                                        state=state, facility=facility, category=category, after=after,
                                        limit=limit + 1)
    return page_of([out(v) for v in found], limit, lambda v: v.id)


@router.get("/{venue_id}", response_model=VenueOut, responses=PROBLEMS, summary="One venue")
async def get_venue(venue_id: Id, db: DatabaseDep, scope: ScopeDep, response: Response) -> VenueOut:
    return tagged(response, out(await use_cases.get(db, scope, venue_id)))


@router.patch("/{venue_id}", response_model=VenueOut, responses=VENUE_PROBLEMS | PRECONDITION,
              summary="Change a venue's name, capacity, opening hours, facilities or categories")
async def change(venue_id: Id, body: VenuePatch, write: ConditionalWriteDep, scope: ScopeDep,
                 response: Response) -> VenueOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes or any(v is None for v in changes.values()):
        raise Problem("validation", "Give at least one field to change, none of them null.",
                      errors=[{"field": "body", "message": "empty or null"}])
    await write.check(use_cases.get(write.database, scope, venue_id), out)
    return await write.commit(response, out(await use_cases.change(write.database, scope, venue_id, changes)))


@router.post("/{venue_id}/close", response_model=VenueOut, responses=VENUE_PROBLEMS,
             summary="Close a venue: bookings still to come are cancelled, its resource withdrawn")
async def close(venue_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> VenueOut:
    return out(await use_cases.close(db, scope, venue_id))


@router.post("/{venue_id}/bookings", status_code=status.HTTP_201_CREATED, response_model=BookingOut,
             responses=VENUE_PROBLEMS, summary="Book a venue for an organization or a project, inside its opening "
                                               "hours; an overlap with a live booking is 409 booking-conflict")
async def book(venue_id: Id, body: BookingIn,
               db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> BookingOut:
    booking = await use_cases.book(db, scope, venue_id, body.model_dump())
    response.headers["Location"] = f"/api/v1/venues/{venue_id}/bookings/{booking.id}"
    return booking_out(booking)


@router.get("/{venue_id}/bookings", response_model=Page[BookingOut], responses=PROBLEMS,
            summary="A venue's bookings (filters: starting from / before, state)")
async def list_bookings(venue_id: Id, db: DatabaseDep, scope: ScopeDep, from_: From = None, to: To = None,
                        state: Literal["booked", "cancelled"] | None = None, after: After = None,
                        limit: Limit = 100) -> Page[BookingOut]:
    found = await use_cases.bookings(db, scope, venue_id, starts_from=from_, starts_before=to,
                                     state=state, after=after, limit=limit + 1)
    return page_of([booking_out(b) for b in found], limit, lambda b: b.id)


@router.post("/{venue_id}/bookings/{booking_id}/cancel", response_model=BookingOut, responses=VENUE_PROBLEMS,
             summary="Cancel a booking (booked -> cancelled)")
async def cancel(venue_id: Id, booking_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> BookingOut:
    return booking_out(await use_cases.cancel(db, scope, venue_id, booking_id))
