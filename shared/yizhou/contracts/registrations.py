"""dual-registration's registration events on `yizhou.registrations.v1` (key: the registration id).

A unit registers with the community where it sits and signs a pairing agreement (结对共建) whose
commitments project-matching turns into resources; an in-service member registers with the
community where they live. Only ids, area codes, skills, categories and amounts travel: no names,
phones or addresses of members.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from yizhou.events import EventData, topic_name

REGISTRATIONS_TOPIC = topic_name("registrations")

CommitmentKind = Literal["venue", "skill", "volunteer_hours", "money", "service", "post"]


class Commitment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment_id: str
    kind: CommitmentKind
    description: str = Field(description="What the unit offers, e.g. 'meeting room for 40, weekday evenings'")
    categories: list[str] = Field(description="Service category codes the offer serves")
    quantity: float = Field(gt=0)
    unit_of_measure: str = Field(description="e.g. 'hours/year', 'yuan/year', 'sessions/month', 'seats'")


class UnitRegistered(EventData):
    """A community approved a unit's registration and pairing agreement."""

    event_type: ClassVar[str] = "unit.registered"
    topic: ClassVar[str] = REGISTRATIONS_TOPIC

    registration_id: str
    unit_id: str
    organization_id: str | None = Field(description="The unit's own party organization")
    community_code: str
    community_path: str
    commitments: list[Commitment]
    hours_per_year: float = Field(description="Service hours the unit committed to per year")
    registered_at: datetime
    previous_registration_id: str | None = Field(
        default=None, description="Set when the unit moved and re-registered: that registration ended")


class MemberRegistered(EventData):
    """A community approved an in-service member's registration where they live."""

    event_type: ClassVar[str] = "member.registered"
    topic: ClassVar[str] = REGISTRATIONS_TOPIC

    registration_id: str
    member_id: str
    organization_id: str | None = Field(description="The member's own party organization")
    community_code: str
    community_path: str
    skills: list[str]
    available_hours_per_month: float
    registered_at: datetime


class MemberTransferred(EventData):
    """A registered member moved: the new community approved them and the old registration ended."""

    event_type: ClassVar[str] = "member.transferred"
    topic: ClassVar[str] = REGISTRATIONS_TOPIC

    registration_id: str
    member_id: str
    organization_id: str | None
    community_code: str
    community_path: str
    skills: list[str]
    available_hours_per_month: float
    registered_at: datetime
    from_registration_id: str
    from_community_code: str


REGISTRATION_EVENTS: list[type[EventData]] = [UnitRegistered, MemberRegistered, MemberTransferred]
