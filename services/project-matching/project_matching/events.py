"""Events project-matching publishes; their contracts live in shared (other services read them)."""

import uuid
from pathlib import Path

from yizhou.contracts.guarantee import GUARANTEE_EVENTS
from yizhou.contracts.matches import MATCH_EVENTS
from yizhou.contracts.projects import PROJECT_EVENTS
from yizhou.contracts.resources import RESOURCE_EVENTS
from yizhou.events import EventData

SOURCE = "/yizhou/project-matching"
# Ids minted from event facts: a replayed event maps to the same project or resource.
NAMESPACE = uuid.UUID("6f1c9a52-3b7e-4d0a-9a51-2f4f3c7b8e10")
PUBLISHED_EVENTS: list[type[EventData]] = [*RESOURCE_EVENTS, *PROJECT_EVENTS, *MATCH_EVENTS, *GUARANTEE_EVENTS]
PUBLISHED_TOPICS = sorted({e.topic for e in PUBLISHED_EVENTS})
SCHEMA_DIR = Path(__file__).parent / "event_schemas"
