"""Events org-registry publishes: the axis (defined in shared, four services speak them) and the
registry's units, party organizations, members and hub organizations, and token revocations (contracts in shared/yizhou/contracts/);
and the instructors' work, which only org-registry reads (the models are here)."""

from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from yizhou.axis_events import AXIS_EVENTS
from yizhou.contracts.hubs import HUB_EVENTS
from yizhou.contracts.members import MEMBER_EVENTS
from yizhou.contracts.organizations import ORGANIZATION_EVENTS
from yizhou.contracts.tokens import TOKEN_EVENTS
from yizhou.contracts.units import UNIT_EVENTS
from yizhou.events import EventData, topic_name

INSTRUCTORS_TOPIC = topic_name("instructors")


class InstructorEvent(EventData):
    """Party-building instructors' work, without the person: no name or phone, and no visit summary (free text
    may name people). Key: the instructor id. Only org-registry reads these today (the model lives here)."""

    topic: ClassVar[str] = INSTRUCTORS_TOPIC

    instructor_id: str
    area_code: str = Field(description="The area the instructor is appointed to")
    area_path: str
    occurred_at: datetime


class InstructorAppointed(InstructorEvent):
    event_type: ClassVar[str] = "instructor.appointed"

    home_unit_id: str | None = Field(description="The unit (an agency) the instructor is sent from")
    appointed_on: date


class InstructorAssigned(InstructorEvent):
    event_type: ClassVar[str] = "instructor.assigned"

    unit_id: str
    assigned_on: date


class InstructorUnassigned(InstructorEvent):
    event_type: ClassVar[str] = "instructor.unassigned"

    unit_id: str


class InstructorVisited(InstructorEvent):
    event_type: ClassVar[str] = "instructor.visited"

    visit_id: str
    unit_id: str
    visited_on: date
    members_found: int = Field(description="Party members found among the unit's staff on the visit")


INSTRUCTOR_EVENTS: list[type[EventData]] = [InstructorAppointed, InstructorAssigned, InstructorUnassigned,
                                             InstructorVisited]

PAIRINGS_TOPIC = topic_name("pairings")


class PairingEvent(EventData):
    """A pairing's facts without the household: no name, phone, address or hardship, and no free text (an
    agreement or review may name people). Key: the pairing id."""

    topic: ClassVar[str] = PAIRINGS_TOPIC

    pairing_id: str
    kind: str = Field(description="`organizations` or `household`")
    organization_id: str
    partner_organization_id: str | None
    area_code: str
    area_path: str
    occurred_at: datetime


class PairingCreated(PairingEvent):
    event_type: ClassVar[str] = "pairing.created"

    started_on: date


class PairingReviewed(PairingEvent):
    event_type: ClassVar[str] = "pairing.reviewed"

    year: int
    joint_project_count: int
    rating: str = Field(description="`good`, `fair` or `poor`")


class PairingEnded(PairingEvent):
    event_type: ClassVar[str] = "pairing.ended"

    ended_on: date


PAIRING_EVENTS: list[type[EventData]] = [PairingCreated, PairingReviewed, PairingEnded]

PUBLISHED_EVENTS = [*AXIS_EVENTS, *UNIT_EVENTS, *ORGANIZATION_EVENTS, *MEMBER_EVENTS, *HUB_EVENTS, *TOKEN_EVENTS,
                    *INSTRUCTOR_EVENTS, *PAIRING_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
