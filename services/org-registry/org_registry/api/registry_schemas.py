"""Request and response bodies of units, party organizations and members."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from org_registry.domain.organization import OrganizationKind, SetupMode
from org_registry.domain.unit import SizeClass, UnitKind
from yizhou.axis_events import CODE_PATTERN
from yizhou.contracts.units import REGISTRY_ID_PATTERN

ID_PATTERN = REGISTRY_ID_PATTERN
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Beijing Jianwai Soho Property Management Co., Ltd.", "kind": "non_public_enterprise",
         "size_class": "large", "area_code": "CY01001", "headcount": 320, "members_among_staff": 14,
         "credit_code": "91110105MA01ABCD1X"}]})

    id: str | None = Field(default=None, pattern=ID_PATTERN, description="Optional; generated when absent")
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    size_class: SizeClass | None = Field(default=None, description="Required for non-public enterprises only")
    area_code: str = Field(pattern=CODE_PATTERN, description="Where the unit is located")
    headcount: int = Field(ge=0, le=10_000_000)
    members_among_staff: int = Field(ge=0, le=10_000_000)
    credit_code: str | None = Field(default=None, pattern=CREDIT_CODE_PATTERN,
                                    description="Unified social credit code (统一社会信用代码)")


class UnitPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"headcount": 350, "members_among_staff": 16}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    size_class: SizeClass | None = None
    area_code: str | None = Field(default=None, pattern=CODE_PATTERN)
    headcount: int | None = Field(default=None, ge=0, le=10_000_000)
    members_among_staff: int | None = Field(default=None, ge=0, le=10_000_000)
    credit_code: str | None = Field(default=None, pattern=CREDIT_CODE_PATTERN)


class UnitOut(BaseModel):
    id: str
    name: str
    kind: UnitKind
    size_class: SizeClass | None
    area_code: str
    area_path: str
    headcount: int
    members_among_staff: int
    credit_code: str | None
    organization_id: str | None = Field(description="The basic organization covering it (single-unit or joint), else any")
    has_own_organization: bool
    covered: bool = Field(description="Covered by at least one active organization")
    covering_organization_ids: list[str]


class OrganizationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Jianwai Soho Joint Party Branch", "kind": "branch", "setup_mode": "joint", "area_code": "CY01001",
         "parent_organization_id": "o-5b1e0c2d9a7f4e3b8c6d", "covered_unit_ids": ["u-1", "u-2"],
         "founded_on": "2008-07-01"}]})

    id: str | None = Field(default=None, pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    setup_mode: SetupMode
    area_code: str = Field(pattern=CODE_PATTERN, description="Location area (属地), where it sits")
    parent_organization_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                               description="Who it reports to (隶属关系); may sit above your area")
    covered_unit_ids: list[str] = Field(default_factory=list, max_length=500)
    founded_on: date


class OrganizationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"secretary_member_id": "m-2f4c1a9e8b7d6c5e4f3a", "covered_unit_ids": ["u-1", "u-2", "u-3"]}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: OrganizationKind | None = None
    area_code: str | None = Field(default=None, pattern=CODE_PATTERN)
    parent_organization_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                               description="Send null explicitly to make it the top of a tree")
    covered_unit_ids: list[str] | None = Field(default=None, max_length=500)
    secretary_member_id: str | None = Field(default=None, pattern=ID_PATTERN)
    founded_on: date | None = None


class Dissolution(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"dissolved_on": "2026-06-30"}]})

    dissolved_on: date


class OrganizationOut(BaseModel):
    id: str
    name: str
    kind: OrganizationKind
    setup_mode: SetupMode
    setup_mode_name: str = Field(description="English name of the setup mode (seed 000)")
    area_code: str
    area_path: str
    parent_organization_id: str | None
    covered_unit_ids: list[str]
    secretary_member_id: str | None
    secretary_name: str | None = Field(description="Masked unless you own the record")
    member_count: int = Field(description="Active members")
    founded_on: date
    dissolved_on: date | None
    dissolved: bool


class SetupModeOut(BaseModel):
    code: SetupMode
    english: str
    chinese: str
    seed_count: int | None = Field(description="Organizations set up this way in the district at the end of 2008 "
                                   "(seed 000's table of the twelve modes; null for the other groups)")
    group: str = Field(description="`two_new` (the twelve modes), `unit` (an agency's, state enterprise's or public "
                                   "institution's own organization) or `leading` (an area's leading organization)")


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "王建国", "phone": "13912345678", "id_number": "110105198001010016",
         "organization_id": "o-5b1e0c2d9a7f4e3b8c6d", "work_unit_id": "u-7d3a", "residence_area_code": "CY01002",
         "skills": ["first aid", "legal advice"], "in_service": True, "joined_on": "2005-07-01"}]})

    id: str | None = Field(default=None, pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    id_number: str = Field(min_length=18, max_length=18, description="Resident ID number (checked)")
    organization_id: str = Field(pattern=ID_PATTERN)
    work_unit_id: str | None = Field(default=None, pattern=ID_PATTERN)
    residence_area_code: str = Field(pattern=CODE_PATTERN, description="Where the member lives")
    skills: list[str] = Field(default_factory=list, max_length=20)
    in_service: bool = Field(default=False, description="In-service member (在职党员)")
    joined_on: date


class MemberPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"phone": "13800001111", "skills": ["first aid"]}, {"organization_id": "o-9a8b7c6d5e4f3a2b1c0d"}]})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, min_length=18, max_length=18)
    organization_id: str | None = Field(default=None, pattern=ID_PATTERN, description="A transfer")
    work_unit_id: str | None = Field(default=None, pattern=ID_PATTERN)
    residence_area_code: str | None = Field(default=None, pattern=CODE_PATTERN)
    skills: list[str] | None = Field(default=None, max_length=20)
    in_service: bool | None = None


class Leaving(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"left_on": "2026-03-31"}]})

    left_on: date


class MemberOut(BaseModel):
    id: str
    personal_data: str = Field(description="`full` if you own the record, else `masked`")
    name: str
    phone: str | None
    id_number: str
    organization_id: str
    work_unit_id: str | None
    residence_area_code: str
    residence_area_path: str
    skills: list[str]
    in_service: bool
    joined_on: date
    left_on: date | None
    state: str = Field(description="active or left")


class EvaluationOut(BaseModel):
    evaluation_id: str
    subject_kind: str = Field(description="unit or member")
    subject_id: str
    community_code: str = Field(description="The community that evaluated")
    period: str
    score: float
    rating: str
    published_at: datetime
