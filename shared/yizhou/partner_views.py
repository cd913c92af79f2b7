"""The partner-facing event types and how internal events project onto them.

Partners see area codes and names of the axis, categories, states, channels, times, counts and the
ids of records (never a resident's name, phone, ID number or address). Field names avoid the bare
`name` on purpose: the guard refuses it everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from yizhou.partner import PartnerEvent, projection

AREA_CHANGES = ("area.created", "area.updated", "area.moved", "area.retired")
DEMAND_CHANGES = ("demand.submitted", "demand.accepted", "demand.assigned", "demand.started", "demand.escalated",
                  "demand.dispatched", "demand.reported_in",
                  "demand.overdue", "demand.resolved", "demand.closed", "demand.reopened", "demand.merged",
                  "demand.withdrawn", "demand.rejected", "demand.called_back")
PROJECT_CHANGES = ("project.designed", "project.approved", "project.rejected", "project.started",
                   "project.progressed", "project.completed", "project.evaluated")


class PartnerAreaChanged(PartnerEvent):
    event_type: ClassVar[str] = "partner.area.changed"
    topic: ClassVar[str] = "yizhou.partner.areas.v1"
    examples: ClassVar[list[dict[str, Any]]] = [
        {"change": "area.created", "area_code": "CY01001", "area_name": "Jianwai Community 1", "level": "community",
         "area_path": "/CY/CY01/CY01001/", "retired": False}]

    change: str
    area_code: str
    area_name: str | None = None
    level: str | None = None
    area_path: str
    retired: bool = False


@projection(*AREA_CHANGES)
def _area(event_type: str, data: dict[str, Any]) -> PartnerAreaChanged:
    return PartnerAreaChanged(change=event_type, area_code=data["code"], area_name=data.get("name"),
                              level=data.get("level"), area_path=data.get("new_path") or data["path"],
                              retired=event_type == "area.retired")


class PartnerDemandChanged(PartnerEvent):
    event_type: ClassVar[str] = "partner.demand.changed"
    topic: ClassVar[str] = "yizhou.partner.demands.v1"
    examples: ClassVar[list[dict[str, Any]]] = [
        {"change": "demand.submitted", "demand_id": "3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f", "area_code": "CY0100101",
         "area_path": "/CY/CY01/CY01001/CY0100101/", "category": "elderly_care", "state": "submitted",
         "channel": "hotline", "urgency": "normal", "occurred_at": "2026-11-23T09:00:00Z"}]

    change: str
    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str
    channel: str | None = None
    urgency: str | None = None
    assignee_unit_id: str | None = Field(default=None, description=(
        "On `demand.assigned` to a unit registered in org-registry: that unit's id, so a work unit can "
        "follow the demands it was given"))
    occurred_at: datetime
    # What the three rates need (the public notice counts them from this topic alone); optional because
    # events released before them lack them. None of them is about a person.
    deadline: str | None = Field(default=None, description="On `demand.overdue`: which deadline passed "
                                                            "(respond, resolve, report_in)")
    feedback: str | None = Field(default=None, description="On `demand.closed` and `demand.reopened`: the "
                                                            "resident's satisfaction, when recorded")
    feedback_by: str | None = Field(default=None, description="Who recorded the feedback: resident or staff")
    imported: bool | None = Field(default=None, description="On `demand.submitted`: brought in by an import of "
                                                             "earlier records (left out of the rates)")
    callback_resolved: bool | None = Field(default=None, description="On `demand.called_back`: the answer to "
                                                                      "'was it resolved?'")
    callback_satisfaction: str | None = Field(default=None, description="On `demand.called_back`: how satisfied")
    callback_source: str | None = Field(default=None, description="On `demand.called_back`: who answered "
                                                                  "(resident, callback_by_staff, staff_entry)")


@projection(*DEMAND_CHANGES)
def _demand(event_type: str, data: dict[str, Any]) -> PartnerDemandChanged:
    return PartnerDemandChanged(change=event_type, demand_id=str(data["demand_id"]), area_code=data["area_code"],
                                area_path=data["area_path"], category=data["category"], state=data["state"],
                                channel=data.get("channel"), urgency=data.get("urgency"),
                                assignee_unit_id=data.get("assignee_unit_id"), occurred_at=data["occurred_at"],
                                deadline=data.get("deadline"), feedback=data.get("feedback"),
                                feedback_by=data.get("feedback_by"), imported=data.get("imported"),
                                callback_resolved=data.get("resolved"), callback_satisfaction=data.get("satisfaction"),
                                callback_source=data.get("source"))


class PartnerProjectChanged(PartnerEvent):
    event_type: ClassVar[str] = "partner.project.changed"
    topic: ClassVar[str] = "yizhou.partner.projects.v1"
    examples: ClassVar[list[dict[str, Any]]] = [
        {"change": "project.approved", "project_id": "9a1b", "area_code": "CY01", "area_path": "/CY/CY01/",
         "category": "elderly_care", "step": "implement", "linked_demands": 4}]

    change: str
    project_id: str
    area_code: str
    area_path: str
    category: str
    step: str
    linked_demands: int
    # The money and progress a public notice (公示) shows; optional because events released before them
    # lack them, and each is set only on the changes that carry it.
    state: str | None = None
    budget_yuan: float | None = Field(default=None, description="On designed, approved, progressed, completed")
    spent_yuan: float | None = Field(default=None, description="On progressed and completed")
    progress_percent: float | None = Field(default=None, description="On progressed and completed")
    average_score: float | None = Field(default=None, description="On approved and rejected: the review's score")
    occurred_at: datetime | None = None


@projection(*PROJECT_CHANGES)
def _project(event_type: str, data: dict[str, Any]) -> PartnerProjectChanged:
    return PartnerProjectChanged(change=event_type, project_id=str(data["project_id"]), area_code=data["area_code"],
                                 area_path=data["area_path"], category=data["category"], step=data["step"],
                                 linked_demands=len(data.get("linked_demand_ids") or []), state=data.get("state"),
                                 budget_yuan=data.get("budget_yuan"), spent_yuan=data.get("spent_yuan"),
                                 progress_percent=data.get("progress_percent"),
                                 average_score=data.get("average_score"), occurred_at=data.get("occurred_at"))


class PartnerEvaluationPublished(PartnerEvent):
    """What a unit's own party organization receives about its unit and its members' service."""

    event_type: ClassVar[str] = "partner.evaluation.published"
    topic: ClassVar[str] = "yizhou.partner.evaluations.v1"
    examples: ClassVar[list[dict[str, Any]]] = [
        {"evaluation_id": "e1", "subject_kind": "member", "subject_id": "m-1029", "organization_id": "o-77",
         "community_code": "CY01001", "community_path": "/CY/CY01/CY01001/", "period": "2026-Q3", "score": 92,
         "rating": "excellent"}]

    evaluation_id: str
    subject_kind: str
    subject_id: str
    organization_id: str | None
    community_code: str
    # Where it belongs on the axis: a partner's webhooks receive the evaluations of their area's subtree.
    # Optional in the contract only because events released before it lack it.
    community_path: str | None = None
    period: str
    score: float
    rating: str


@projection("evaluation.published")
def _evaluation(event_type: str, data: dict[str, Any]) -> PartnerEvaluationPublished:
    return PartnerEvaluationPublished(**{k: data.get(k) for k in PartnerEvaluationPublished.model_fields})


class PartnerRegistrationChanged(PartnerEvent):
    event_type: ClassVar[str] = "partner.registration.changed"
    topic: ClassVar[str] = "yizhou.partner.registrations.v1"
    examples: ClassVar[list[dict[str, Any]]] = [
        {"change": "unit.registered", "registration_id": "r-5", "registrant_kind": "unit", "registrant_id": "u-31",
         "community_code": "CY01001", "community_path": "/CY/CY01/CY01001/", "commitments": 3}]

    change: str
    registration_id: str
    registrant_kind: str
    registrant_id: str
    community_code: str
    community_path: str
    commitments: int = 0


@projection("unit.registered", "member.registered", "member.transferred")
def _registration(event_type: str, data: dict[str, Any]) -> PartnerRegistrationChanged:
    kind = "unit" if event_type.startswith("unit.") else "member"
    return PartnerRegistrationChanged(
        change=event_type, registration_id=str(data["registration_id"]), registrant_kind=kind,
        registrant_id=str(data["unit_id"] if kind == "unit" else data["member_id"]),
        community_code=data["community_code"], community_path=data["community_path"],
        commitments=len(data.get("commitments") or []))
