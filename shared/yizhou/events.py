"""Event payloads: each event type is a pydantic model; the envelope is CloudEvents 1.0."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

TOPIC_PREFIX = "yizhou"


def topic_name(aggregate: str, version: int = 1) -> str:
    return f"{TOPIC_PREFIX}.{aggregate}.v{version}"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class EventData(BaseModel):
    """The `data` of one event type. Subclasses set `event_type` (a fact: `area.created`) and `topic`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]

    def outbox_values(self, *, aggregate_id: str, subject: str, source: str) -> dict[str, Any]:
        return {
            "event_id": str(uuid.uuid4()),
            "topic": self.topic,
            "event_type": self.event_type,
            "source": source,
            "subject": subject,
            "aggregate_id": aggregate_id,
            "data": self.model_dump(mode="json"),
            "occurred_at": datetime.now(UTC),
        }

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = cls.model_json_schema()
        schema["$id"] = f"urn:yizhou:event:{cls.event_type}"
        schema["x-topic"] = cls.topic
        return schema


def schema_file(directory: Path, event: type[EventData]) -> Path:
    return directory / f"{event.event_type}.json"


def render_schema(event: type[EventData]) -> str:
    return json.dumps(event.json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(directory: Path, events: list[type[EventData]]) -> list[Path]:
    """Writes the checked-in JSON Schemas; `yizhou schemas` calls it, a test compares against it."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event in events:
        path = schema_file(directory, event)
        path.write_text(render_schema(event), encoding="utf-8")
        written.append(path)
    return written
