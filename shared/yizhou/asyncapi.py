"""The AsyncAPI 3.0 document of the partner topics, generated from the same pydantic models that
produce the events (so the contract cannot drift from the code)."""

from __future__ import annotations

from typing import Any

from yizhou.partner import PartnerEvent, partner_events

CE_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka binary-mode attributes (header values are UTF-8 bytes).",
    "properties": {
        "ce_id": {"type": "string", "description": "Event id; the same id means the same event (deduplicate on it)"},
        "ce_source": {"type": "string", "examples": ["/yizhou/demand-intake"]},
        "ce_type": {"type": "string"},
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The record the event is about"},
        "content-type": {"type": "string", "const": "application/json"},
    },
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
}


def _camel(name: str) -> str:
    head, *rest = name.replace(".", "_").split("_")
    return head + "".join(p.title() for p in rest)


def _payload(event: type[PartnerEvent], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = event.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    return schema


def build_document(version: str = "1.0.0", server_host: str = "kafka:9092") -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event in partner_events():
        message_id = _camel(event.event_type)
        channel_id = _camel(event.topic.removeprefix("yizhou.").rsplit(".", 1)[0])
        messages[message_id] = {
            "name": event.event_type,
            "title": event.__name__,
            "summary": (event.__doc__ or f"{event.event_type} on {event.topic}").strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {**CE_HEADERS, "properties": {**CE_HEADERS["properties"],
                                                     "ce_type": {"type": "string", "const": event.event_type}}},
            "payload": _payload(event, schemas),
            "bindings": {"kafka": {"key": {"type": "string", "description": "The aggregate id: one record's events keep their order"},
                                   "bindingVersion": "0.5.0"}},
            "examples": [{"name": f"example{i + 1}", "payload": ex,
                          "headers": {"ce_id": "5d1f3c1e-0000-4000-8000-00000000000" + str(i), "ce_source": "/yizhou",
                                      "ce_type": event.event_type, "ce_specversion": "1.0"}}
                         for i, ex in enumerate(event.examples)],
        }
        channels[channel_id] = {
            "address": event.topic,
            "title": event.topic,
            "description": f"Partner-facing topic {event.topic}: no personal data of residents.",
            "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
        }
        operations[f"receive{channel_id[0].upper()}{channel_id[1:]}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Partners consume {event.topic}",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Yizhou platform: partner event stream",
            "version": version,
            "description": "Events partner agencies (work units, subdistrict offices, the city hotline, service "
                           "organizations) may consume. CloudEvents 1.0 in Kafka binary mode; JSON data; no "
                           "residents' personal data. Partners without Kafka can receive the same events by webhook.",
        },
        "defaultContentType": "application/json",
        "servers": {"production": {"host": server_host, "protocol": "kafka",
                                   "description": "The platform's Apache Kafka cluster. A partner connects as its "
                                                  "own principal, which may read `yizhou.partner.*` only, in "
                                                  "consumer groups whose names start with the principal's name.",
                                   "security": [{"$ref": "#/components/securitySchemes/partnerScram"}]}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas, "securitySchemes": {
            "partnerScram": {"type": "scramSha512",
                             "description": "SASL SCRAM-SHA-512. The district's operator creates the partner's "
                                            "principal (`yizhou bus init --partner NAME`) and hands over its "
                                            "username and password; see docs/security.md."}}},
    }
