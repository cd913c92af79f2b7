"""project-matching's guarantee-network events (保障体系): activity funds, venues and bookings, and
responsibility assessment scorecards.

- `yizhou.funds.v1` (key: the organization id, so one organization's entries stay in order):
  `funds.received`, `funds.spent`. Money is exact: integer fen (1/100 yuan).
- `yizhou.venues.v1` (key: the venue id): `venue.registered`, `venue.updated`, `venue.closed`,
  `venue.booked`, `venue.booking_cancelled`. A venue is also offered to matching as a
  `resource.registered` of kind `venue` on `yizhou.resources.v1`.
- `yizhou.assessments.v1` (key: the scorecard id): `assessment.published`, a yearly scorecard of an
  area or of a party organization, with every input, its source, weight and contribution.

No personal data travels: organizations, venues and projects by id and name, areas by code; a
booking's free-text purpose and who typed an entry stay in the service.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from yizhou.events import EventData, topic_name

FUNDS_TOPIC = topic_name("funds")
VENUES_TOPIC = topic_name("venues")
ASSESSMENTS_TOPIC = topic_name("assessments")

FundSource = Literal["party_dues_returned", "district_allocation", "unit_contribution", "government_purchase"]
SpendingPurpose = Literal["project", "activity"]
VenueKind = Literal["party_mass_service_centre", "activity_room", "meeting_room", "sports_ground", "other"]
BookerKind = Literal["organization", "project"]
SubjectKind = Literal["area", "organization"]


class FundEntryEvent(EventData):
    """The fields every fund event has (not published itself)."""

    topic: ClassVar[str] = FUNDS_TOPIC

    entry_id: str
    organization_id: str = Field(description="The party organization whose activity funds these are")
    area_code: str = Field(description="The organization's location area (属地)")
    area_path: str
    year: int = Field(description="The budget year the entry belongs to")
    amount_fen: int = Field(gt=0, description="Exact amount in fen (1/100 yuan)")
    balance_fen: int = Field(ge=0, description="The organization's balance for the year after this entry")
    booked_on: date
    occurred_at: datetime


class FundsReceived(FundEntryEvent):
    event_type: ClassVar[str] = "funds.received"

    source: FundSource


class FundsSpent(FundEntryEvent):
    event_type: ClassVar[str] = "funds.spent"

    purpose: SpendingPurpose
    project_id: str | None = Field(description="Set when the money went to one of the platform's projects")
    activity: str | None = Field(description="The activity's title when it went to an activity")


class VenueEvent(EventData):
    """The fields every venue event has (not published itself)."""

    topic: ClassVar[str] = VENUES_TOPIC

    venue_id: str
    area_code: str
    area_path: str
    occurred_at: datetime


class OpeningInterval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: int = Field(ge=1, le=7, description="ISO weekday, 1 = Monday")
    opens: str = Field(description="Local time (UTC+8), HH:MM")
    closes: str = Field(description="Local time (UTC+8), HH:MM; 24:00 is midnight")


class VenueDescribed(VenueEvent):
    """The fields a venue's registration and changes carry (not published itself)."""

    venue_name: str = Field(description="The venue's name (a place, not a person; not called `name`, which the "
                                        "personal-data guard reserves for people)")
    kind: VenueKind
    owner_organization_id: str
    capacity: int = Field(description="People it holds")
    opening_hours: list[OpeningInterval]
    facilities: list[str]
    categories: list[str] = Field(description="Service categories it suits")
    resource_id: str = Field(description="The matching resource (kind venue) that offers it")
    state: Literal["open", "closed"]


class VenueRegistered(VenueDescribed):
    event_type: ClassVar[str] = "venue.registered"


class VenueUpdated(VenueDescribed):
    event_type: ClassVar[str] = "venue.updated"


class VenueClosed(VenueDescribed):
    event_type: ClassVar[str] = "venue.closed"


class BookingEvent(VenueEvent):
    """The fields both booking events have (not published itself)."""

    booking_id: str
    booker_kind: BookerKind
    booker_id: str = Field(description="The organization or project the venue is booked for")
    starts_at: datetime
    ends_at: datetime
    attendees: int


class VenueBooked(BookingEvent):
    event_type: ClassVar[str] = "venue.booked"


class VenueBookingCancelled(BookingEvent):
    event_type: ClassVar[str] = "venue.booking_cancelled"


class ScorecardInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="e.g. 'response_rate', 'evaluation_score'")
    value: float | None = Field(description="Points 0-100; null when there was nothing to measure")
    weight: float = Field(description="The configured weight")
    effective_weight: float = Field(description="The weight after inputs without data are left out")
    contribution: float = Field(description="effective_weight x value: the points it adds to the score")
    source: str = Field(description="Where the figure comes from (service and events)")
    numerator: float | None = None
    denominator: float | None = None


class AssessmentPublished(EventData):
    """A yearly responsibility scorecard of an area or a party organization, sent to the subject."""

    event_type: ClassVar[str] = "assessment.published"
    topic: ClassVar[str] = ASSESSMENTS_TOPIC

    assessment_id: str
    subject_kind: SubjectKind
    subject_id: str = Field(description="The area code or the organization id")
    organization_id: str | None = Field(description="The organization assessed, or the area's own organizations "
                                                    "read it from the area")
    area_code: str
    area_path: str
    year: int
    version: int = Field(description="1 for the first publication of this subject and year, then 2, 3...")
    score: float = Field(ge=0, le=100)
    grade: Literal["excellent", "good", "fair", "poor", "not_assessed"]
    inputs: list[ScorecardInput]
    published_at: datetime


FUND_EVENTS: list[type[EventData]] = [FundsReceived, FundsSpent]
VENUE_EVENTS: list[type[EventData]] = [VenueRegistered, VenueUpdated, VenueClosed, VenueBooked,
                                       VenueBookingCancelled]
ASSESSMENT_EVENTS: list[type[EventData]] = [AssessmentPublished]
GUARANTEE_EVENTS: list[type[EventData]] = [*FUND_EVENTS, *VENUE_EVENTS, *ASSESSMENT_EVENTS]
