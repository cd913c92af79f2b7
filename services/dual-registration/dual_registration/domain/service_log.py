"""The service log (双服务): who served, what, when, where and for how long. Hours count only once
the community or the resident served confirms; nobody confirms their own service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dual_registration.domain.errors import (InvalidHours, NotTheServedResident, OverlappingSession,
                                             ResidentConfirmationCap, SelfConfirmation, ServiceNotOver)
from yizhou.state_machine import StateMachine

MAX_SESSION = timedelta(hours=24)
MAX_FUTURE_SKEW = timedelta(minutes=5)  # a phone's clock a little ahead is not an error
# What one resident account may confirm of one provider's service (a member logging hours "for" an
# account they control is the fabrication this bounds); beyond it, the community's staff confirm.
RESIDENT_CONFIRMABLE_MINUTES = 240
RESIDENT_CONFIRMATION_WINDOW = timedelta(days=30)


class ServiceState(StrEnum):
    LOGGED = "logged"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


SERVICE_MACHINE: StateMachine[ServiceState] = StateMachine("service", {
    ServiceState.LOGGED: frozenset({ServiceState.CONFIRMED, ServiceState.REJECTED}),
})


class ConfirmerKind(StrEnum):
    COMMUNITY = "community"
    RESIDENT = "resident"


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Window) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def session_minutes(window: Window, declared_hours: float | None, now: datetime) -> int:
    """The minutes a session counts for: the declared hours (at most the window) or the window."""
    length = window.ends_at - window.starts_at
    if length <= timedelta(0):
        raise InvalidHours("A service session ends after it starts.")
    if length > MAX_SESSION:
        raise InvalidHours("One service session lasts at most 24 hours; log longer service day by day.")
    if window.ends_at > now + MAX_FUTURE_SKEW:
        raise InvalidHours("Service is logged after it happened; the end lies in the future.")
    window_minutes = int(length.total_seconds() // 60)
    if declared_hours is None:
        minutes = window_minutes
    else:
        if declared_hours <= 0:
            raise InvalidHours("Hours must be positive.")
        if declared_hours * 60 > window_minutes + 1:  # compared first: 1e308 hours has no minutes (round() overflows)
            raise InvalidHours(f"{declared_hours} hours do not fit in a session of {window_minutes} minutes.")
        minutes = round(declared_hours * 60)
        if minutes > window_minutes:
            raise InvalidHours(f"{declared_hours} hours do not fit in a session of {window_minutes} minutes.")
    if minutes <= 0:
        raise InvalidHours("A service session counts for at least one minute.")
    return minutes


def check_no_overlap(window: Window, others: list[Window]) -> None:
    """One member cannot be in two places: logged or confirmed sessions may not overlap."""
    for other in others:
        if window.overlaps(other):
            raise OverlappingSession(f"The member already has a service session from {other.starts_at.isoformat()} "
                                     f"to {other.ends_at.isoformat()}.")


@dataclass(frozen=True)
class SessionParties:
    provider_kind: str
    provider_id: str
    logged_by: str
    served_resident_ref: str | None


def check_confirmer(parties: SessionParties, confirmer_subject: str, confirmer_kind: ConfirmerKind) -> None:
    if confirmer_subject in {parties.logged_by, parties.provider_id}:
        raise SelfConfirmation("The service was logged by or for the confirmer; the community or the resident "
                               "served confirms it.")
    if confirmer_kind == ConfirmerKind.RESIDENT and confirmer_subject != parties.served_resident_ref:
        raise NotTheServedResident("Only the resident named as served in this session confirms it as a resident.")


def check_resident_confirmation(*, confirmed_minutes: int, minutes: int) -> None:
    """A resident confirms only so much of one provider's service in `RESIDENT_CONFIRMATION_WINDOW`
    (what they confirmed already: `confirmed_minutes`)."""
    if confirmed_minutes + minutes > RESIDENT_CONFIRMABLE_MINUTES:
        raise ResidentConfirmationCap(
            f"You have confirmed {confirmed_minutes} minutes of this provider's service in the last "
            f"{RESIDENT_CONFIRMATION_WINDOW.days} days; a resident confirms at most {RESIDENT_CONFIRMABLE_MINUTES}. "
            "The community confirms the rest.")


# What makes a resident's confirmation worth a second look by the community (it still counts): the patterns
# of hours fabricated with an account the member controls, which stay under the cap one session at a time.
REVIEW_REPEAT_SESSIONS = 3     # this resident confirmed this many of the same provider's sessions in the window
REVIEW_MANY_PROVIDERS = 5      # this resident confirmed sessions of this many different providers in a week


class ReviewFlag(StrEnum):
    REPEATED_PAIR = "repeated-pair"          # one resident keeps confirming one provider
    MANY_PROVIDERS = "many-providers"        # one resident confirms for many providers


@dataclass(frozen=True)
class ConfirmationHistory:
    """What the resident confirmed before this one: sessions of the same provider in the confirmation window,
    and distinct providers in the last seven days."""

    same_provider_sessions: int
    providers_this_week: int


def review_flags(history: ConfirmationHistory) -> list[ReviewFlag]:
    """The outliers a resident's confirmation shows, for the community to review (empty: nothing odd)."""
    flags = []
    if history.same_provider_sessions + 1 >= REVIEW_REPEAT_SESSIONS:
        flags.append(ReviewFlag.REPEATED_PAIR)
    if history.providers_this_week + 1 >= REVIEW_MANY_PROVIDERS:
        flags.append(ReviewFlag.MANY_PROVIDERS)
    return flags


def check_over(ends_at: datetime, now: datetime) -> None:
    """Hours are confirmed once served: a check-in logs the session ahead, confirmation waits for its end."""
    if now < ends_at:
        raise ServiceNotOver(f"The session ends at {ends_at.isoformat()}; confirm it after that.")
