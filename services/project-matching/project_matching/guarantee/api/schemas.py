"""Request and response bodies of the guarantee network's API, with examples."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from project_matching.api.schemas import Category, Yuan
from yizhou.axis_events import CODE_PATTERN

Ref = Annotated[str, Field(min_length=1, max_length=64)]
Year = Annotated[int, Field(ge=2000, le=2100)]
HHMM = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]


def _plausible(value: datetime) -> datetime:
    # Far dates would overflow when shifted to UTC or local time; nothing real is booked outside these years.
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_plausible)]
Source = Literal["party_dues_returned", "district_allocation", "unit_contribution", "government_purchase"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- funds ------------------------------------------------------------------------------------

class IncomeIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "organization_id": "org-cy01001-branch", "year": 2026, "source": "party_dues_returned",
        "amount_yuan": "8600.00", "booked_on": "2026-03-31", "note": "Q1 party dues returned by the district"}]})

    organization_id: Ref
    year: Year
    source: Source
    amount_yuan: Yuan
    booked_on: date | None = Field(default=None, description="Defaults to today (or the year's first day)")
    note: str = Field(default="", max_length=500)


class SpendingIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "organization_id": "org-cy01001-branch", "year": 2026, "amount_yuan": "1200.00", "purpose": "activity",
        "activity": "July 1st theme party day", "booked_on": "2026-07-01", "note": "Printing and materials"}]})

    organization_id: Ref
    year: Year
    amount_yuan: Yuan
    purpose: Literal["project", "activity"]
    project_id: Ref | None = Field(default=None, description="For purpose 'project': an approved or later project")
    activity: str | None = Field(default=None, max_length=200, description="For purpose 'activity': its title")
    booked_on: date | None = Field(default=None, description="Defaults to today (or the year's last day)")
    note: str = Field(default="", max_length=500)


class EntryOut(BaseModel):
    id: str
    organization_id: str
    year: int
    direction: Literal["income", "spending"]
    amount_yuan: float
    source: str | None
    purpose: str | None
    project_id: str | None
    activity: str | None
    note: str
    booked_on: date
    balance_after_yuan: float


class Figures(BaseModel):
    income_yuan: float
    spending_yuan: float
    balance_yuan: float
    income_by_source_yuan: dict[str, float]
    spending_by_purpose_yuan: dict[str, float]


class ProjectSpending(BaseModel):
    project_id: str
    amount_yuan: float


class OrganizationStatementOut(Figures):
    organization_id: str
    name: str
    area_code: str
    year: int
    dissolved: bool
    spending_by_project_yuan: list[ProjectSpending]


class OrganizationFigures(Figures):
    organization_id: str
    name: str
    area_code: str


class AreaStatementOut(Figures):
    area_code: str
    year: int
    organizations: list[OrganizationFigures]
    next_cursor: str | None = Field(description="Pass as `after` for the next page of organizations")


class OrganizationOut(BaseModel):
    organization_id: str
    name: str
    kind: str
    area_code: str
    dissolved: bool


# --- venues -----------------------------------------------------------------------------------

class OpeningIn(_In):
    weekday: int = Field(ge=1, le=7, description="ISO weekday, 1 = Monday")
    opens: HHMM
    closes: HHMM


WEEKDAYS_9_TO_21 = [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(1, 6)]


class VenueIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Jintai Road party-mass service centre, hall 2", "kind": "party_mass_service_centre",
        "owner_organization_id": "org-cy01001-branch", "area_code": "CY01001", "capacity": 60,
        "opening_hours": [*WEEKDAYS_9_TO_21, {"weekday": 6, "opens": "09:00", "closes": "12:00"}],
        "facilities": ["projector", "accessible_entrance", "tea_room"],
        "categories": ["culture_sports", "community_education"]}]})

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["party_mass_service_centre", "activity_room", "meeting_room", "sports_ground", "other"]
    owner_organization_id: Ref
    area_code: str = Field(pattern=CODE_PATTERN)
    capacity: int = Field(ge=1, le=100_000, description="People it holds")
    opening_hours: list[OpeningIn] = Field(min_length=1, max_length=70, description="Local time, UTC+8")
    facilities: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default=[], max_length=50)
    categories: list[Category] = Field(default=[], max_length=21, description="Service categories it suits")


class VenuePatch(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "capacity": 80, "facilities": ["projector", "accessible_entrance", "tea_room", "kitchen"]}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    opening_hours: list[OpeningIn] | None = Field(default=None, min_length=1, max_length=70)
    facilities: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(default=None, max_length=50)
    categories: list[Category] | None = Field(default=None, max_length=21)


class OpeningOut(BaseModel):
    weekday: int
    opens: str
    closes: str


class VenueOut(BaseModel):
    id: str
    name: str
    kind: str
    owner_organization_id: str
    area_code: str
    area_path: str
    capacity: int
    opening_hours: list[OpeningOut]
    facilities: list[str]
    categories: list[str]
    state: Literal["open", "closed"]
    resource_id: str
    updated_at: datetime


class BookingIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "booker_kind": "organization", "booker_id": "org-cy01001-branch", "starts_at": "2026-12-02T14:00:00+08:00",
        "ends_at": "2026-12-02T16:00:00+08:00", "attendees": 40, "purpose": "Branch meeting and theme party day"}]})

    booker_kind: Literal["organization", "project"]
    booker_id: Ref
    starts_at: Instant
    ends_at: Instant
    attendees: int = Field(ge=1, le=100_000)
    purpose: str = Field(default="", max_length=500)


class BookingOut(BaseModel):
    id: str
    venue_id: str
    booker_kind: str
    booker_id: str
    attendees: int
    purpose: str
    starts_at: datetime
    ends_at: datetime
    state: Literal["booked", "cancelled"]
    allowed_next_states: list[str]
    created_at: datetime
    cancelled_at: datetime | None


# --- assessment -------------------------------------------------------------------------------

Weight = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class WeightsIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"weights": {
        "response_rate": "0.15", "resolution_rate": "0.15", "satisfaction_rate": "0.15", "evaluation_score": "0.10",
        "unit_registration_rate": "0.10", "member_registration_rate": "0.10", "hours_threshold_rate": "0.10",
        "coverage_rate": "0.05", "projects_delivered_rate": "0.10"}}]})

    weights: dict[Annotated[str, Field(max_length=40)], Weight] = Field(min_length=1, max_length=20)


class WeightsOut(BaseModel):
    district_code: str
    year: int
    subject_kind: Literal["area", "organization"]
    weights: dict[str, float]
    configured: bool = Field(description="False: the defaults, nobody set them for this year yet")


class InputOut(BaseModel):
    code: str
    value: float | None
    weight: float
    effective_weight: float
    contribution: float
    source: str
    numerator: float | None
    denominator: float | None
    definition: str


class ScorecardOut(BaseModel):
    id: str | None = Field(description="Set once published")
    subject_kind: Literal["area", "organization"]
    subject_id: str
    name: str | None
    area_code: str
    year: int
    version: int | None
    score: float
    grade: Literal["excellent", "good", "fair", "poor", "not_assessed"]
    inputs: list[InputOut]
    published_at: datetime | None


class PublishIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "subject_kind": "area", "subject_id": "CY01001", "year": 2026}]})

    subject_kind: Literal["area", "organization"]
    subject_id: Ref
    year: Year

