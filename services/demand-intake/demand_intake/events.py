"""Events demand-intake publishes; their contracts live in shared (`yizhou.contracts.demands`,
`yizhou.contracts.meetings`) because other services read them."""

from pathlib import Path

from yizhou.contracts.demands import DEMAND_EVENTS
from yizhou.contracts.meetings import MEETING_EVENTS
from yizhou.events import EventData

PUBLISHED_EVENTS: list[type[EventData]] = [*DEMAND_EVENTS, *MEETING_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
