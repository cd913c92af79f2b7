"""Venues (阵地): party-mass service centres and other places, their weekly opening hours, and bookings.

Opening hours are local Beijing time (UTC+8, no daylight saving). A booking lies inside one opening
interval of one day, holds no more people than the venue does, and overlaps no other live booking
of the venue (half-open ranges: one booking may start when another ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum

from project_matching.guarantee.domain.errors import VenueRuleViolation
from yizhou.state_machine import StateMachine

LOCAL = timezone(timedelta(hours=8), "UTC+8")
KINDS = ("party_mass_service_centre", "activity_room", "meeting_room", "sports_ground", "other")
BOOKER_KINDS = ("organization", "project")
# Projects that may book a venue: approved or running.
BOOKING_PROJECT_STATES = ("approved", "implementing")
MAX_BOOKING = timedelta(hours=24)
BOOKING_HORIZON = timedelta(days=2 * 366)  # how far ahead a venue can be booked
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


class BookingState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


BOOKING_MACHINE = StateMachine("booking", {BookingState.BOOKED: frozenset({BookingState.CANCELLED})})


@dataclass(frozen=True)
class Interval:
    weekday: int      # ISO, 1 = Monday
    opens: str        # HH:MM
    closes: str       # HH:MM, 24:00 = midnight

    @property
    def minutes(self) -> tuple[int, int]:
        return _minutes(self.opens), _minutes(self.closes)


def _minutes(hhmm: str) -> int:
    if not _HHMM.match(hhmm):
        raise VenueRuleViolation(f"'{hhmm}' is not a time of day (HH:MM, 00:00-24:00).")
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def check_opening_hours(intervals: list[Interval]) -> list[Interval]:
    """Each interval opens before it closes; intervals of one weekday do not overlap. Sorted back."""
    for i in intervals:
        if not 1 <= i.weekday <= 7:
            raise VenueRuleViolation(f"Weekday {i.weekday} is not 1 (Monday) to 7 (Sunday).")
        opens, closes = i.minutes
        if closes <= opens:
            raise VenueRuleViolation(f"On weekday {i.weekday} the venue must open ({i.opens}) before it closes "
                                     f"({i.closes}).")
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.minutes))
    for a, b in zip(ordered, ordered[1:]):
        if a.weekday == b.weekday and b.minutes[0] < a.minutes[1]:
            raise VenueRuleViolation(f"On weekday {a.weekday}, {a.opens}-{a.closes} and {b.opens}-{b.closes} overlap.")
    return ordered


def check_venue(*, capacity: int, opening_hours: list[Interval], categories: list[str], known_categories) -> None:
    if capacity < 1:
        raise VenueRuleViolation("A venue holds at least one person.")
    if not opening_hours:
        raise VenueRuleViolation("A venue that is never open cannot be booked; give its opening hours.")
    unknown = [c for c in categories if c not in known_categories]
    if unknown:
        raise VenueRuleViolation(f"Unknown service categories: {', '.join(unknown)}.")
    check_opening_hours(opening_hours)


def open_days(opening_hours: list[Interval]) -> int:
    """Days a week the venue opens: the places it offers to matching per period (one need a day)."""
    return len({i.weekday for i in opening_hours})


def inside_opening_hours(opening_hours: list[Interval], starts_at: datetime, ends_at: datetime) -> bool:
    start, end = starts_at.astimezone(LOCAL), ends_at.astimezone(LOCAL)
    day = start.date()
    midnight = datetime.combine(day, time(0), LOCAL)
    start_min = (start - midnight) // timedelta(minutes=1)
    end_min = (end - midnight) // timedelta(minutes=1)
    if (start - midnight) % timedelta(minutes=1) or (end - midnight) % timedelta(minutes=1):
        return False  # bookings are on whole minutes
    for i in opening_hours:
        opens, closes = i.minutes
        if i.weekday == day.isoweekday() and opens <= start_min and end_min <= closes:
            return True
    return False


def check_booking(*, opening_hours: list[Interval], capacity: int, starts_at: datetime, ends_at: datetime,
                  attendees: int, now: datetime) -> None:
    if ends_at <= starts_at:
        raise VenueRuleViolation("A booking ends after it starts.")
    if ends_at - starts_at > MAX_BOOKING:
        raise VenueRuleViolation("A booking lasts at most 24 hours.")
    if starts_at < now:
        raise VenueRuleViolation("A booking starts in the future.")
    if starts_at > now + BOOKING_HORIZON:
        raise VenueRuleViolation("A booking starts at most two years ahead.")
    if attendees < 1 or attendees > capacity:
        raise VenueRuleViolation(f"The venue holds {capacity} people; {attendees} asked for.")
    if not inside_opening_hours(opening_hours, starts_at, ends_at):
        raise VenueRuleViolation("The booking is not inside one of the venue's opening intervals (local time, "
                                 "whole minutes).")


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    kind: str
    owner_organization_id: str
    area_code: str
    area_path: str
    capacity: int
    opening_hours: tuple[Interval, ...]
    facilities: tuple[str, ...]
    categories: tuple[str, ...]
    state: str
    resource_id: str
    updated_at: datetime


@dataclass(frozen=True)
class Booking:
    id: str
    venue_id: str
    booker_kind: str
    booker_id: str
    attendees: int
    purpose: str
    starts_at: datetime
    ends_at: datetime
    state: BookingState
    created_at: datetime
    cancelled_at: datetime | None
