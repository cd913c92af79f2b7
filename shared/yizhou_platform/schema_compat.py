"""Schema compatibility of published events against their released JSON Schemas.

A released schema is frozen under `released/` beside the service's event schemas. A change to an
event on the same topic must not break a consumer: no removed field, no retyped field, no new
required field (the consumer-facing rules), and jsoncompat's serializer check (every value the new
schema allows is valid under the old one, read as consumers read it: ignoring unknown fields) must pass. A breaking change needs a new topic version.
"""

from __future__ import annotations

import json
from typing import Any

import jsoncompat


def _type_of(prop: dict[str, Any]) -> Any:
    if "$ref" in prop:
        return prop["$ref"]
    if "anyOf" in prop:
        return sorted(json.dumps(_type_of(p), sort_keys=True) for p in prop["anyOf"])
    return prop.get("type"), prop.get("format"), prop.get("items", {}).get("type") if isinstance(prop.get("items"), dict) else None


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for field, prop in old_props.items():
        if field not in new_props:
            problems.append(f"field '{field}' removed")
        elif _type_of(prop) != _type_of(new_props[field]):
            problems.append(f"field '{field}' retyped")
    for field in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"field '{field}' newly required")
    if not problems and not jsoncompat.check_compat(json.dumps(_as_read(old)), json.dumps(_as_read(new)), "serializer"):
        problems.append("new schema allows values the released one refuses (jsoncompat, serializer role)")
    return problems


def _as_read(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as consumers read it: tolerant of unknown fields (the platform's reader rule), and
    without our identification keywords, which jsoncompat does not resolve."""
    schema = {k: v for k, v in schema.items() if k not in ("$id", "x-topic")}
    schema.pop("additionalProperties", None)
    return schema
