"""Events org-registry publishes. The axis events are defined in shared (four services speak them)."""

from pathlib import Path

from yizhou.axis_events import AXIS_EVENTS

PUBLISHED_EVENTS = [*AXIS_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
