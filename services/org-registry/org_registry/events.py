"""Events org-registry publishes: the axis (defined in shared, four services speak them) and the
registry's units, party organizations, members and hub organizations, and token revocations (contracts in shared/yizhou/contracts/)."""

from pathlib import Path

from yizhou.axis_events import AXIS_EVENTS
from yizhou.contracts.hubs import HUB_EVENTS
from yizhou.contracts.members import MEMBER_EVENTS
from yizhou.contracts.organizations import ORGANIZATION_EVENTS
from yizhou.contracts.tokens import TOKEN_EVENTS
from yizhou.contracts.units import UNIT_EVENTS

PUBLISHED_EVENTS = [*AXIS_EVENTS, *UNIT_EVENTS, *ORGANIZATION_EVENTS, *MEMBER_EVENTS, *HUB_EVENTS, *TOKEN_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
