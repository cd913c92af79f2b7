"""Request and response bodies of project-matching's API, with examples."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from yizhou.axis_events import CODE_PATTERN

Yuan = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
SignedYuan = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
Category = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowIn(_In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ResourceIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "venue", "title": "Community activity room (40 seats)", "provider_kind": "unit",
        "provider_id": "6f1c2a4e-unit-of-org-registry", "area_code": "CY01001", "categories": ["culture_sports", "elderly_care"],
        "capacity": 8, "latitude": 39.9087, "longitude": 116.4605,
        "windows": [{"starts_at": "2026-12-01T09:00:00+08:00", "ends_at": "2026-12-31T18:00:00+08:00"}]}]})

    kind: Literal["venue", "skill", "volunteer_hours", "money", "service", "post"]
    title: Text
    provider_kind: Literal["unit", "member", "social_organization", "service_alliance", "community"]
    provider_id: str | None = Field(default=None, max_length=64)
    area_code: str = Field(pattern=CODE_PATTERN)
    categories: list[Category] = Field(min_length=1, max_length=21)
    skills: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default=[], max_length=50)
    capacity: int = Field(default=0, ge=0, le=100_000, description="Needs it can take per matching period")
    amount_yuan: Yuan | None = Field(default=None, description="For money: the amount offered")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    windows: list[WindowIn] = Field(default=[], max_length=100, description="Availability; none means any time")

    @model_validator(mode="after")
    def _point(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class ResourcePatch(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"capacity": 12}]})

    title: Text | None = None
    categories: list[Category] | None = Field(default=None, min_length=1, max_length=21)
    capacity: int | None = Field(default=None, ge=0, le=100_000)
    windows: list[WindowIn] | None = Field(default=None, max_length=100)


class ResourceOut(BaseModel):
    id: str
    kind: str
    title: str
    provider_kind: str
    provider_id: str | None
    area_code: str
    area_path: str
    categories: list[str]
    skills: list[str]
    capacity: int
    amount_yuan: float | None
    latitude: float | None
    longitude: float | None
    windows: list[dict[str, datetime]]
    state: str
    origin: str
    updated_at: datetime


class PlaceIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"latitude": 39.9087,
                                                                                "longitude": 116.4605}]})

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class ProjectIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Meal delivery for elderly residents living alone", "area_code": "CY01001",
        "category": "meal_assistance", "linked_demand_ids": ["3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f"]}]})

    title: Text
    area_code: str = Field(pattern=CODE_PATTERN)
    category: Category
    linked_demand_ids: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=1000)


class BudgetLineIn(_In):
    item: Text
    amount_yuan: Yuan
    funding_source: Literal["government_purchase", "social_funds", "unit_funds"]


class MilestoneIn(_In):
    title: Text
    weight: int = Field(ge=1, le=1000)


class DesignIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "goals": ["Two hot meals a day for 40 elderly residents living alone"],
        "linked_demand_ids": [], "cluster_ids": ["meal_assistance@CY01001"], "beneficiaries_planned": 40,
        "budget_lines": [{"item": "Meals from the community canteen", "amount_yuan": "48000.00",
                          "funding_source": "government_purchase"},
                         {"item": "Delivery volunteers' insurance", "amount_yuan": "2000.00",
                          "funding_source": "unit_funds"}],
        "milestones": [{"title": "Canteen contract signed", "weight": 20},
                       {"title": "Deliveries running for 3 months", "weight": 80}]}]})

    goals: list[Text] = Field(min_length=1, max_length=50)
    linked_demand_ids: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=1000)
    cluster_ids: list[Annotated[str, Field(max_length=120)]] = Field(default=[], max_length=100,
                                                                     description="Clusters whose demands to link")
    beneficiaries_planned: int = Field(ge=0, le=10_000_000)
    budget_lines: list[BudgetLineIn] = Field(min_length=1, max_length=200)
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=100)


class ReviewIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "score": 86, "comment": "Clear need, realistic budget; add a satisfaction survey."}]})

    score: int = Field(ge=0, le=100)
    comment: str = Field(default="", max_length=2000)


class DecisionIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "decision": "approve", "reasons": ["Serves 40 priority households", "Within the programme's unit cost"]}]})

    decision: Literal["approve", "reject"]
    reasons: list[Text] = Field(min_length=1, max_length=20)


class SpendIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "amount_yuan": "12000.00", "line_id": "L1", "note": "Canteen invoice for December"}]})

    amount_yuan: Yuan
    line_id: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=500)


class AmendmentIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "amount_yuan": "5000.00", "reason": "Ten more households joined after the winter visits"}]})

    amount_yuan: SignedYuan
    reason: Text


class EvaluationIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "outcome": "Meals delivered on 88 of 90 days", "beneficiaries_reached": 43, "satisfaction_percent": 96.5}]})

    outcome: Text
    beneficiaries_reached: int = Field(ge=0, le=10_000_000)
    satisfaction_percent: float = Field(ge=0, le=100)


class ProjectOut(BaseModel):
    id: str
    title: str
    area_code: str
    area_path: str
    category: str
    state: str
    step: str
    allowed_next_states: list[str]
    linked_demand_ids: list[str]
    origin_meeting_id: str | None
    goals: list[str]
    beneficiaries_planned: int
    budget_lines: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    decision: dict[str, Any] | None
    budget_yuan: float
    spent_yuan: float
    progress_percent: float
    amendments: list[dict[str, Any]]
    evaluation: dict[str, Any] | None


class RoundIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "area_code": "CY01", "period_start": "2026-12-01T00:00:00+08:00", "period_end": "2026-12-08T00:00:00+08:00",
        "max_distance_km": 2, "weights": {"normal": 10, "elderly_alone": 30, "disabled": 30, "low_income": 20,
                                          "other": 15}}]})

    area_code: str = Field(pattern=CODE_PATTERN)
    period_start: AwareDatetime
    period_end: AwareDatetime
    max_distance_km: float = Field(default=2.0, ge=0.001, le=50, description="At least 1 m")
    weights: dict[Literal["normal", "elderly_alone", "disabled", "low_income", "other"],
                  Annotated[int, Field(ge=1, le=1000)]] = Field(default={})


class RoundOut(BaseModel):
    id: str
    area_code: str
    period_start: datetime
    period_end: datetime
    rules: dict[str, Any]
    stats: dict[str, Any]
    created_by: str
    created_at: datetime


class MatchOut(BaseModel):
    id: str
    round_id: str
    demand_id: str
    resource_id: str
    area_code: str
    category: str
    distance_m: int
    state: Literal["proposed", "accepted", "rejected", "expired"] = Field(
        description="expired: a later round for its area and period superseded it (decision_note names it)")
    explanation: dict[str, Any]
    decision_note: str | None
    decided_at: datetime | None = Field(description="When staff decided it, or when it expired")


class MatchDecisionIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "Confirmed by phone"}]})

    note: str | None = Field(default=None, max_length=500)


class DemandOut(BaseModel):
    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str
    priority_household: str | None
    urgency: str | None
    updated_at: datetime


class CandidateOut(BaseModel):
    resource: ResourceOut
    distance_m: int


class ClusterOut(BaseModel):
    cluster_id: str
    category: str
    area_code: str
    size: int
    demand_ids: list[str]
    priority_households: int
