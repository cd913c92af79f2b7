"""Events dual-registration publishes (none yet beyond what its issue adds)."""

from pathlib import Path

from yizhou.events import EventData

PUBLISHED_EVENTS: list[type[EventData]] = []
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
