"""Every event type the platform publishes, with where its JSON Schema is checked in and released."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import yizhou
from yizhou.events import EventData
from yizhou.partner import partner_events
from yizhou_platform.launcher import SERVICES

# The partner topics' schemas sit with the runtime library that projects them (yizhou.partner).
PARTNER_SCHEMA_DIR = Path(yizhou.__file__).parent / "partner_schemas"


@dataclass(frozen=True)
class EventSet:
    publisher: str
    schema_dir: Path
    events: list[type[EventData]]


def event_sets() -> list[EventSet]:
    sets = []
    for spec in SERVICES:
        module = importlib.import_module(f"{spec.package}.events")
        sets.append(EventSet(spec.name, module.SCHEMA_DIR, list(module.PUBLISHED_EVENTS)))
    sets.append(EventSet("partner", PARTNER_SCHEMA_DIR, list(partner_events())))
    return sets


def released_schema_file(schema_dir: Path, event: type[EventData]) -> Path:
    """The frozen schema consumers of this topic version code against."""
    return schema_dir / "released" / event.topic / f"{event.event_type}.json"
