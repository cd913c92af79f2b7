"""Request and response bodies of dual-registration's API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dual_registration.domain.claim import PostKind, TargetKind
from dual_registration.domain.pledges import PledgeRating, PledgerKind
from yizhou.contracts.categories import SERVICE_CATEGORIES

ID = Field(min_length=1, max_length=64)
Category = Literal[tuple(SERVICE_CATEGORIES)]  # the 21 service categories
Text = Field(min_length=1, max_length=500)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- read copies

class UnitOut(BaseModel):
    unit_id: str
    name: str
    kind: str
    area_code: str
    area_path: str
    community_code: str | None
    organization_id: str | None
    registration_state: str | None = Field(description="State of the unit's current registration, if any")


class MemberOut(BaseModel):
    member_id: str
    organization_id: str | None
    residence_area_code: str
    community_code: str | None
    skills: list[str]
    in_service: bool
    left: bool
    registration_state: str | None


# --- registrations

class CommitmentIn(_In):
    kind: Literal["venue", "skill", "volunteer_hours", "money", "service", "post"]
    description: str = Text
    # One of the 21: an unknown code was once accepted here and silently dropped by project-matching.
    categories: list[Category] = Field(default_factory=list, max_length=21)
    quantity: float = Field(gt=0, le=1e9)
    unit_of_measure: str = Field(min_length=1, max_length=64)


class AgreementIn(_In):
    title: str = Field(min_length=1, max_length=200)
    hours_per_year: float = Field(ge=0, le=100_000, description="Service hours the unit commits to per year")
    commitments: list[CommitmentIn] = Field(min_length=1, max_length=50)


class UnitRegistrationIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "unit_id": "u-2031",
        "agreement": {"title": "结对共建 2026: Jianwai Community and the District Tax Bureau", "hours_per_year": 400,
                      "commitments": [
                          {"kind": "venue", "description": "Meeting hall for 60, weekday evenings",
                           "categories": ["culture_sports"], "quantity": 24, "unit_of_measure": "sessions/year"},
                          {"kind": "volunteer_hours", "description": "Tax-law consultations for residents",
                           "categories": ["legal_aid"], "quantity": 200, "unit_of_measure": "hours/year"},
                          {"kind": "post", "description": "Two staff for the little red caps patrol",
                           "categories": ["public_safety"], "quantity": 2, "unit_of_measure": "people"}]}}]})

    unit_id: str = ID
    agreement: AgreementIn


class MemberRegistrationIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_id": "m-88120", "skills": ["first aid", "tutoring"], "available_hours_per_month": 8}]})

    member_id: str = ID
    skills: list[str] = Field(default_factory=list, max_length=30)
    available_hours_per_month: float = Field(ge=0, le=200)

    @model_validator(mode="after")
    def _skills_short(self) -> MemberRegistrationIn:
        if any(len(s) > 64 for s in self.skills):
            raise ValueError("each skill is at most 64 characters")
        return self


class DecisionIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "Agreement signed on 3 March"}]})

    note: str | None = Field(default=None, max_length=500)


class CommitmentOut(BaseModel):
    commitment_id: str = Field(validation_alias="id")
    kind: str
    description: str
    categories: list[str]
    quantity: float
    unit_of_measure: str


class RegistrationOut(BaseModel):
    id: str
    kind: Literal["unit", "member"]
    registrant_id: str
    organization_id: str | None
    community_code: str
    community_path: str
    state: str
    skills: list[str] | None
    available_hours_per_month: float | None
    agreement_title: str | None
    hours_per_year: float | None
    commitments: list[CommitmentOut]
    previous_registration_id: str | None = Field(description="Set on a transfer: the registration it replaces")
    submitted_at: datetime
    decided_at: datetime | None
    decision_note: str | None
    ended_at: datetime | None


# --- posts and claims

class PostIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"area_code": "CY01001", "kind": "volunteer_post", "title": "Little red caps: weekend patrol",
         "description": "Saturday 9-11, north gate and the market street", "capacity": 6},
        {"area_code": "CY0100101", "kind": "households", "title": "Households of building 3",
         "description": "Visit the elderly living alone in building 3 every two weeks", "capacity": 1,
         "household_count": 8}]})

    area_code: str = Field(min_length=1, max_length=32, description="The community, or one of its grids")
    kind: PostKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    capacity: int = Field(ge=1, le=10_000, description="How many claimants the post takes")
    household_count: int | None = Field(default=None, ge=1, le=10_000)


class PostOut(BaseModel):
    id: str
    community_code: str
    area_code: str
    kind: str
    title: str
    description: str
    capacity: int
    places_taken: int
    household_count: int | None
    open: bool
    created_at: datetime


class ClaimIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"registration_id": "0190b6a4-3c1e-7d2a-9f00-1a2b3c4d5e6f", "target_kind": "post",
         "target_id": "0190b6a4-55aa-7d2a-9f00-1a2b3c4d5e70", "note": "Free on Saturdays"}]})

    registration_id: str | None = Field(default=None, min_length=1, max_length=64,
                                        description="The claimant's approved registration")
    member_id: str | None = Field(default=None, min_length=1, max_length=64,
                                  description="Instead of a registration: a member living in the community claims a "
                                              "post for members without office (`no_office`)")
    target_kind: TargetKind
    target_id: str = ID
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_claimant(self) -> ClaimIn:
        if (self.registration_id is None) == (self.member_id is None):
            raise ValueError("give either registration_id or member_id")
        return self


class ClaimOut(BaseModel):
    id: str
    claimant_kind: str
    claimant_id: str
    registration_id: str | None = Field(description="None: a member without office claimed without a registration")
    target_kind: str
    target_id: str
    community_code: str
    state: str
    note: str | None
    requested_at: datetime
    updated_at: datetime


# --- service log, check-in codes, ledger

class ServiceIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "registration_id": "0190b6a4-3c1e-7d2a-9f00-1a2b3c4d5e6f", "activity": "Accompanied an elderly resident to hospital",
        "category": "elderly_care", "area_code": "CY0100101", "started_at": "2026-03-07T01:00:00Z",
        "ended_at": "2026-03-07T04:00:00Z", "hours": 2.5, "served_resident_ref": "resident-5521"}]})

    registration_id: str = ID
    activity: str = Text
    category: str | None = Field(default=None, max_length=64)
    area_code: str = Field(min_length=1, max_length=32, description="Where: the community or one of its grids")
    started_at: datetime
    ended_at: datetime
    hours: float | None = Field(default=None, allow_inf_nan=False,
                                description="Hours served, at most the session; defaults to its length")
    claim_id: str | None = Field(default=None, max_length=64, description="The approved claim this service fulfils")
    served_resident_ref: str | None = Field(
        default=None, max_length=200, description="Account id of the resident served, who may then confirm (never a name)")

    @model_validator(mode="after")
    def _aware(self) -> ServiceIn:
        if self.started_at.tzinfo is None or self.ended_at.tzinfo is None:
            raise ValueError("times carry a UTC offset, e.g. 2026-03-07T09:00:00+08:00")
        return self


class ServiceOut(BaseModel):
    id: str
    provider_kind: str
    provider_id: str
    registration_id: str
    community_code: str
    area_code: str
    category: str | None
    activity: str
    started_at: datetime
    ended_at: datetime
    minutes: int
    hours: float
    state: str
    claim_id: str | None
    checkin_code: str | None
    served_resident_ref: str | None
    decided_as: str | None
    decided_at: datetime | None
    decision_note: str | None
    review_flags: list[str] | None = Field(default=None, description="Staff only: outliers of a resident's "
                                           "confirmation for the community to review (`repeated-pair`: one resident keeps "
                                           "confirming one provider; `many-providers`); the hours count meanwhile")

    @model_validator(mode="before")
    @classmethod
    def _hours(cls, data):
        if isinstance(data, dict) and "hours" not in data:
            data = {**data, "hours": round(data["minutes"] / 60, 2)}
        return data


class CheckinCodesIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "area_code": "CY01001", "activity": "Little red caps: Saturday patrol", "category": "public_safety",
        "starts_at": "2026-03-07T01:00:00Z", "ends_at": "2026-03-07T03:00:00Z", "count": 6}]})

    area_code: str = Field(min_length=1, max_length=32)
    activity: str = Text
    category: str | None = Field(default=None, max_length=64)
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime | None = Field(default=None, description="Defaults to the end of the event")
    count: int = Field(default=1, ge=1, le=500, description="One code per member expected")
    post_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _aware(self) -> CheckinCodesIn:
        if any(t is not None and t.tzinfo is None for t in (self.starts_at, self.ends_at, self.expires_at)):
            raise ValueError("times carry a UTC offset")
        return self


class IssuedCodeOut(BaseModel):
    code: str
    qr_payload: str = Field(description="What the QR code encodes: yizhou://checkin?code=...&community=...&exp=...")


class CheckinCodesOut(BaseModel):
    batch_id: str
    community_code: str
    activity: str
    starts_at: datetime
    ends_at: datetime
    expires_at: datetime
    codes: list[IssuedCodeOut]


class CheckinIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"code": "7KQ2-M9XA-4T"}, {"qr_payload": "yizhou://checkin?code=7KQ2M9XA4T&community=CY01001&exp=1772850000"}]})

    code: str | None = Field(default=None, max_length=40)
    qr_payload: str | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _one(self) -> CheckinIn:
        if (self.code is None) == (self.qr_payload is None):
            raise ValueError("send either `code` or `qr_payload`")
        return self


class MovementOut(BaseModel):
    id: int
    service_id: str
    side: Literal["debit", "credit"]
    minutes: int
    effect: int = Field(description="+minutes on the account's normal side, -minutes otherwise")
    service_started_at: datetime
    posted_at: datetime


class AccountOut(BaseModel):
    account: str
    balance_minutes: int
    balance_hours: float
    movements: list[MovementOut]
    next_cursor: str | None


# --- evaluations, cards, figures

class EvaluationIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"subject_kind": "member", "subject_id": "m-88120", "period": "2026-Q1", "score": 92,
         "comment": "Never missed a patrol; residents of building 3 praise the visits"}]})

    subject_kind: Literal["unit", "member"]
    subject_id: str = ID
    period: str = Field(pattern=r"^\d{4}(-Q[1-4])?$", description="A year ('2026') or a quarter ('2026-Q1')")
    score: float = Field(ge=0, le=100)
    comment: str | None = Field(default=None, max_length=1000)


class EvaluationOut(BaseModel):
    id: str
    subject_kind: str
    subject_id: str
    organization_id: str | None
    community_code: str
    period: str
    evaluator_kind: str
    score: float
    rating: str
    comment: str | None
    state: str
    created_at: datetime
    published_at: datetime | None


class ThresholdOut(BaseModel):
    name: str
    required: float
    actual: float
    met: bool


class CardOut(BaseModel):
    subject_kind: str
    subject_id: str
    organization_id: str | None
    community_code: str | None
    period: str
    hours: float = Field(description="Confirmed hours: the sum of the subject's ledger movements in the period")
    services: int
    claims_held: int
    rating_counts: dict[str, int]
    average_score: float | None
    community_rating: str | None
    thresholds: list[ThresholdOut]
    all_thresholds_met: bool


class FigureRow(BaseModel):
    units_expected: int
    units_registered: int
    unit_registration_rate: float | None
    members_expected: int
    members_registered: int
    member_registration_rate: float | None
    active_members: int
    active_rate: float | None = Field(description="Registered members with a confirmed service in the period")
    hours: float
    evaluations: dict[str, int]


class CommunityFigures(FigureRow):
    community_code: str
    community_name: str | None


class FiguresOut(BaseModel):
    area_code: str
    area_name: str
    period: str
    total: FigureRow
    communities: list[CommunityFigures]


# --- the pledge cycle (承诺—践诺—评诺)

class PledgeIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"pledger_kind": "member", "pledger_id": "m-88120", "year": 2026,
         "items": ["Keep the stairwell of building 3 clear", "Visit two elderly neighbours every week"]},
        {"pledger_kind": "organization", "pledger_id": "org-5521", "year": 2026, "area_code": "CY01001",
         "items": ["Open the unit's canteen to elderly residents at noon"]}]})

    pledger_kind: PledgerKind
    pledger_id: str = ID
    year: int = Field(ge=2000, le=2100)
    items: list[str] = Field(min_length=1, max_length=20, description="What is pledged, one text per item")
    area_code: str | None = Field(default=None, min_length=1, max_length=32,
                                  description="Organizations only: the community they pledge in (a member pledges "
                                              "where they live)")

    @model_validator(mode="after")
    def _community_given(self) -> PledgeIn:
        if (self.pledger_kind == PledgerKind.ORGANIZATION) != (self.area_code is not None):
            raise ValueError("an organization names the community (area_code); a member pledges where they live")
        return self


class PledgeProgressIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "Stairwell cleared on 12 March; visits kept weekly", "done": False}]})

    note: str = Text
    done: bool = Field(default=False, description="The pledge is fulfilled (践诺)")


class PledgeAssessmentIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"rating": "good", "comment": "Kept every item; residents of building 3 confirmed"}]})

    rating: PledgeRating
    comment: str | None = Field(default=None, max_length=1000)


class PledgeProgressOut(BaseModel):
    note: str
    done: bool
    at: datetime
    by: str


class PledgeOut(BaseModel):
    id: str
    pledger_kind: str
    pledger_id: str
    organization_id: str | None
    community_code: str
    year: int
    items: list[str]
    progress: list[PledgeProgressOut]
    state: str
    rating: str | None
    assessment_comment: str | None
    pledged_at: datetime
    fulfilled_at: datetime | None
    assessed_at: datetime | None


class PublicPledgeOut(BaseModel):
    """A pledge on the public list (公开): members are masked, organizations named."""

    id: str
    pledger_kind: str
    pledger: str | None = Field(description="The organization's name; a member shows as ****")
    organization_id: str | None
    organization_name: str | None
    community_code: str
    year: int
    items: list[str]
    state: str
    rating: str | None
    assessment_comment: str | None
