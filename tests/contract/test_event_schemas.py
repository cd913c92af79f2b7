"""Every published event type has a checked-in JSON Schema equal to its pydantic model's."""

import importlib
import json

import jsonschema
import pytest

from yizhou.events import render_schema, schema_file
from yizhou.launcher import SERVICES

PUBLISHED = [(spec.package, event) for spec in SERVICES
             for event in importlib.import_module(f"{spec.package}.events").PUBLISHED_EVENTS]


def test_some_events_are_published():
    assert PUBLISHED, "no service publishes any event"


@pytest.mark.parametrize("package,event", PUBLISHED, ids=[e.event_type for _, e in PUBLISHED])
def test_checked_in_schema_matches_the_model(package, event):
    events = importlib.import_module(f"{package}.events")
    path = schema_file(events.SCHEMA_DIR, event)
    assert path.exists(), f"{path} missing: run `make schemas` and commit it"
    assert path.read_text(encoding="utf-8") == render_schema(event), f"{path} drifted from {event.__name__}: run `make schemas`"
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
