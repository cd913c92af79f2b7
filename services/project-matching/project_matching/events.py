"""Events project-matching publishes; their contracts live in shared (other services read them)."""

from pathlib import Path

from yizhou.contracts.guarantee import GUARANTEE_EVENTS
from yizhou.contracts.matches import MATCH_EVENTS
from yizhou.contracts.projects import PROJECT_EVENTS
from yizhou.contracts.resources import RESOURCE_EVENTS
from yizhou.events import EventData

SOURCE = "/yizhou/project-matching"
PUBLISHED_EVENTS: list[type[EventData]] = [*RESOURCE_EVENTS, *PROJECT_EVENTS, *MATCH_EVENTS, *GUARANTEE_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
