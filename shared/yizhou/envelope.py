"""CloudEvents 1.0 over Kafka (binary mode) through the `cloudevents` SDK's Kafka binding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent


_JSON = JSONFormat()


class MalformedEvent(ValueError):
    """A record that is not a readable CloudEvent; it goes to the dead-letter topic."""


@dataclass(frozen=True)
class ReceivedEvent:
    id: str
    type: str
    source: str
    subject: str | None
    time: datetime | None
    data: dict[str, Any]
    topic: str
    partition: int
    offset: int
    key: str | None


def to_kafka_message(row: Any) -> ce_kafka.KafkaMessage:
    """An outbox row as a Kafka record; the key (partitionkey) is the aggregate id."""
    event = CloudEvent(
        attributes={
            "id": row.event_id,
            "source": row.source,
            "type": row.event_type,
            "subject": row.subject,
            "time": row.occurred_at,
            "datacontenttype": "application/json",
            "partitionkey": row.aggregate_id,
        },
        data=row.data,
    )
    return ce_kafka.to_binary_event(event)


def _require_core_attributes(headers: dict[str, bytes], value: bytes | None) -> None:
    """The SDK fills a missing id with a random one; that would defeat the inbox, so refuse it."""
    if "ce_id" in headers and "ce_source" in headers and "ce_type" in headers:
        return  # as our relay writes them (checked first: this runs for every record consumed)
    names = {name.lower() for name in headers}
    if any(name.startswith("ce_") for name in names):
        missing = [a for a in ("id", "source", "type") if f"ce_{a}" not in names]
    else:
        try:
            body = json.loads(value or b"")
        except ValueError:
            raise MalformedEvent("not a CloudEvent: neither ce_ headers nor a JSON structured event") from None
        missing = [a for a in ("id", "source", "type") if not isinstance(body, dict) or a not in body]
    if missing:
        raise MalformedEvent(f"not a CloudEvent: missing {', '.join(missing)}")


def from_kafka_record(record: Any) -> ReceivedEvent:
    headers = {name: value for name, value in (record.headers or ())}
    key = record.key.decode("utf-8", "replace") if isinstance(record.key, bytes) else record.key
    _require_core_attributes(headers, record.value)
    try:
        event = ce_kafka.from_kafka(ce_kafka.KafkaMessage(headers=headers, key=key, value=record.value or b""), _JSON)
        data = event.get_data()
        if isinstance(data, (bytes, str)):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise MalformedEvent("event data is not a JSON object")
        return ReceivedEvent(
            id=event.get_id(),
            type=event.get_type(),
            source=event.get_source(),
            subject=event.get_subject(),
            time=event.get_time(),
            data=data,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=key,
        )
    except MalformedEvent:
        raise
    except Exception as exc:  # the SDK raises several types; to the consumer they all mean "unreadable"
        raise MalformedEvent(f"not a CloudEvent: {type(exc).__name__}: {exc}") from exc
