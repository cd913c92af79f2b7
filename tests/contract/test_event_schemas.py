"""Every published event type (internal and partner) has a checked-in JSON Schema equal to its
pydantic model's, and no change breaks the released schema of its topic version."""

import json

import jsonschema
import pytest

from yizhou_platform.event_catalogue import event_sets, released_schema_file
from yizhou.events import render_schema, schema_file
from yizhou_platform.schema_compat import breaking_changes

PUBLISHED = [(s.schema_dir, e) for s in event_sets() for e in s.events]
IDS = [f"{e.topic}:{e.event_type}" for _, e in PUBLISHED]


def test_some_events_are_published():
    assert len(PUBLISHED) >= 9


@pytest.mark.parametrize("schema_dir,event", PUBLISHED, ids=IDS)
def test_checked_in_schema_matches_the_model(schema_dir, event):
    path = schema_file(schema_dir, event)
    assert path.exists(), f"{path} missing: run `make schemas` and commit it"
    assert path.read_text(encoding="utf-8") == render_schema(event), f"{path} drifted from {event.__name__}: run `make schemas`"
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("schema_dir,event", PUBLISHED, ids=IDS)
def test_no_breaking_change_against_the_released_schema(schema_dir, event):
    released = released_schema_file(schema_dir, event)
    if not released.exists():
        pytest.skip(f"{event.event_type} on {event.topic} is not released yet (`yizhou schemas --release`)")
    problems = breaking_changes(json.loads(released.read_text(encoding="utf-8")), event.json_schema())
    assert not problems, f"{event.event_type} breaks consumers of {event.topic}: {problems}; publish on a new topic version"


def test_partner_and_axis_schemas_are_released():
    released = [e for d, e in PUBLISHED if released_schema_file(d, e).exists()]
    assert {e.topic for e in released} >= {"yizhou.areas.v1", "yizhou.partner.areas.v1", "yizhou.partner.demands.v1"}


BASE = {"type": "object", "properties": {"area_code": {"type": "string"}, "count": {"type": "integer"},
                                         "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["area_code"], "additionalProperties": False}


@pytest.mark.parametrize("change,expected", [
    (lambda s: s["properties"].pop("count"), "removed"),
    (lambda s: s["properties"].__setitem__("count", {"type": "string"}), "retyped"),
    (lambda s: s["required"].append("count"), "newly required"),
])
def test_the_checker_catches_each_breaking_change(change, expected):
    new = json.loads(json.dumps(BASE))
    change(new)
    assert any(expected in p for p in breaking_changes(BASE, new))


def test_an_added_optional_field_is_compatible():
    new = json.loads(json.dumps(BASE))
    new["properties"]["extra"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert breaking_changes(BASE, new) == []
