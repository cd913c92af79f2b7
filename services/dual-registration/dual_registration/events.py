"""Events dual-registration publishes.

Registration and evaluation events are read by other services, so their models live in
`yizhou.contracts.registrations` / `yizhou.contracts.evaluations`. Claim and service events are
this service's own facts (no other service reads them yet); they carry ids, areas, states, times and
minutes, never the resident served. Pledge events likewise (only this service publishes them).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.contracts.evaluations import EVALUATION_EVENTS
from yizhou.contracts.registrations import REGISTRATION_EVENTS
from yizhou.events import EventData, topic_name

SOURCE = "/yizhou/dual-registration"
CLAIMS_TOPIC = topic_name("claims")
SERVICES_TOPIC = topic_name("services")
PLEDGES_TOPIC = topic_name("pledges")


class ClaimEvent(EventData):
    """Fields every claim event has (not published itself); key: the claim id."""

    topic: ClassVar[str] = CLAIMS_TOPIC

    claim_id: str
    claimant_kind: Literal["member", "unit"]
    claimant_id: str
    target_kind: Literal["post", "project", "demand"]
    target_id: str
    community_code: str
    community_path: str
    state: Literal["requested", "approved", "rejected", "withdrawn", "completed", "released"]
    occurred_at: datetime


class ClaimRequested(ClaimEvent):
    event_type: ClassVar[str] = "claim.requested"


class ClaimApproved(ClaimEvent):
    event_type: ClassVar[str] = "claim.approved"


class ClaimRejected(ClaimEvent):
    event_type: ClassVar[str] = "claim.rejected"


class ClaimWithdrawn(ClaimEvent):
    event_type: ClassVar[str] = "claim.withdrawn"


class ClaimCompleted(ClaimEvent):
    event_type: ClassVar[str] = "claim.completed"


class ClaimReleased(ClaimEvent):
    event_type: ClassVar[str] = "claim.released"


CLAIM_EVENTS: dict[str, type[ClaimEvent]] = {e.event_type.split(".")[1]: e for e in (
    ClaimRequested, ClaimApproved, ClaimRejected, ClaimWithdrawn, ClaimCompleted, ClaimReleased)}


class ServiceEvent(EventData):
    """Fields every service event has (not published itself); key: the service id."""

    topic: ClassVar[str] = SERVICES_TOPIC

    service_id: str
    provider_kind: Literal["member", "unit"]
    provider_id: str
    community_code: str
    community_path: str
    area_code: str = Field(description="Where the service took place (community or grid)")
    category: str | None
    started_at: datetime
    ended_at: datetime
    minutes: int = Field(gt=0)
    claim_id: str | None = None


class ServiceLogged(ServiceEvent):
    event_type: ClassVar[str] = "service.logged"

    checked_in: bool = Field(description="Logged by checking in with a community-issued code")


class ServiceConfirmed(ServiceEvent):
    event_type: ClassVar[str] = "service.confirmed"

    confirmed_as: Literal["community", "resident"]
    confirmed_at: datetime


class ServiceRejected(ServiceEvent):
    event_type: ClassVar[str] = "service.rejected"

    rejected_at: datetime


class PledgeEvent(EventData):
    """Fields every pledge event has (not published itself); key: the pledge id. The items' text stays
    in the service (people write names and numbers into it); the public list masks it."""

    topic: ClassVar[str] = PLEDGES_TOPIC

    pledge_id: str
    pledger_kind: Literal["member", "organization"]
    pledger_id: str
    organization_id: str | None
    community_code: str
    community_path: str
    year: int
    item_count: int = Field(ge=1)
    occurred_at: datetime


class PledgeMade(PledgeEvent):
    event_type: ClassVar[str] = "pledge.made"


class PledgeAssessed(PledgeEvent):
    event_type: ClassVar[str] = "pledge.assessed"

    rating: Literal["excellent", "good", "fair", "poor"]
    fulfilled: bool = Field(description="The pledger had reported it done before the assessment")


PUBLISHED_EVENTS: list[type[EventData]] = [
    *REGISTRATION_EVENTS, *CLAIM_EVENTS.values(), ServiceLogged, ServiceConfirmed, ServiceRejected,
    *EVALUATION_EVENTS, PledgeMade, PledgeAssessed,
]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
