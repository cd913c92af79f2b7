"""project-matching's project events on `yizhou.projects.v1` (key: the project id).

A project goes through five steps: understand > design > review > implement > evaluate. Every event
carries `project_id`, `area_code`, `area_path`, `category`, `linked_demand_ids`, `step` (the step
the project is in after the change) and `state`. demand-intake reads `project.approved` (linked
demands move to in progress) and `project.completed` (they become resolved).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

PROJECTS_TOPIC = topic_name("projects")

Step = Literal["understand", "design", "review", "implement", "evaluate"]
ProjectState = Literal["understanding", "designing", "in_review", "approved", "rejected", "implementing",
                       "completed", "evaluated"]
FundingSource = Literal["government_purchase", "social_funds", "unit_funds"]


class ProjectEvent(EventData):
    topic: ClassVar[str] = PROJECTS_TOPIC

    project_id: str
    area_code: str
    area_path: str
    category: str = Field(description="Service category code (yizhou.contracts.categories)")
    linked_demand_ids: list[str]
    step: Step
    state: ProjectState
    occurred_at: datetime


class ProjectOpened(ProjectEvent):
    event_type: ClassVar[str] = "project.opened"

    origin_meeting_id: str | None = Field(default=None, description="The meeting that asked for it, if any")


class ProjectDesigned(ProjectEvent):
    event_type: ClassVar[str] = "project.designed"

    budget_yuan: float
    funding_sources: list[FundingSource]
    beneficiaries_planned: int


class ProjectSubmitted(ProjectEvent):
    event_type: ClassVar[str] = "project.submitted"


class ProjectApproved(ProjectEvent):
    event_type: ClassVar[str] = "project.approved"

    average_score: float | None
    budget_yuan: float


class ProjectRejected(ProjectEvent):
    event_type: ClassVar[str] = "project.rejected"

    average_score: float | None


class ProjectStarted(ProjectEvent):
    event_type: ClassVar[str] = "project.started"


class ProjectProgressed(ProjectEvent):
    """A milestone done, money spent or the budget amended."""

    event_type: ClassVar[str] = "project.progressed"

    progress_percent: float
    spent_yuan: float
    budget_yuan: float


class ProjectCompleted(ProjectEvent):
    event_type: ClassVar[str] = "project.completed"

    progress_percent: float
    spent_yuan: float
    budget_yuan: float


class ProjectEvaluated(ProjectEvent):
    event_type: ClassVar[str] = "project.evaluated"

    beneficiaries_reached: int
    satisfaction_percent: float


PROJECT_EVENTS: list[type[ProjectEvent]] = [ProjectOpened, ProjectDesigned, ProjectSubmitted, ProjectApproved,
                                            ProjectRejected, ProjectStarted, ProjectProgressed, ProjectCompleted,
                                            ProjectEvaluated]
