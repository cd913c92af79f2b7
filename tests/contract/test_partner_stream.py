"""Partner topics: projections carry no personal data; a leaking event is refused, not sent; the
AsyncAPI document describes exactly the partner events, with valid example payloads."""

import jsonschema
import pytest
from prometheus_client import REGISTRY

from yizhou.asyncapi import build_document
from yizhou.events import EventData
from yizhou.partner import PartnerDataLeak, guard, partner_events, partner_views


def refused(event_type: str) -> float:
    return REGISTRY.get_sample_value("partner_events_refused_total", {"event_type": event_type}) or 0.0


def test_an_area_event_projects_to_a_clean_partner_event():
    [view] = partner_views("area.created", {"code": "CY01", "name": "Jianwai Subdistrict", "level": "subdistrict",
                                            "parent_code": "CY", "path": "/CY/CY01/"})
    assert view.topic == "yizhou.partner.areas.v1"
    assert view.model_dump() == {"change": "area.created", "area_code": "CY01", "area_name": "Jianwai Subdistrict",
                                 "level": "subdistrict", "area_path": "/CY/CY01/", "retired": False}


def test_a_projection_that_would_leak_a_phone_number_is_refused_and_counted():
    before = refused("area.updated")
    views = partner_views("area.updated", {"code": "CY01", "name": "call 13812345678", "path": "/CY/CY01/"})
    assert views == [] and refused("area.updated") == before + 1


def test_an_id_number_in_any_field_is_refused():
    before = refused("demand.submitted")
    data = {"demand_id": "d1", "area_code": "CY01", "area_path": "/CY/CY01/", "category": "11010519491231002X",
            "state": "submitted", "occurred_at": "2026-11-23T09:00:00Z", "channel": "hotline", "urgency": "normal"}
    assert partner_views("demand.submitted", data) == [] and refused("demand.submitted") == before + 1


def test_the_guard_refuses_personal_fields_by_name():
    class Leaky(EventData):
        event_type = "test.leaky"
        topic = "yizhou.partner.test.v1"
        resident_name: str
        phone: str

    with pytest.raises(PartnerDataLeak) as exc:
        guard(Leaky(resident_name="王五", phone="n/a"))
    assert "resident_name" in str(exc.value) and "phone" in str(exc.value)


def test_internal_fields_beyond_the_partner_view_are_dropped():
    data = {"demand_id": "d1", "area_code": "CY01", "area_path": "/CY/CY01/", "category": "elderly_care",
            "state": "submitted", "occurred_at": "2026-11-23T09:00:00Z", "resident_name": "王五",
            "resident_phone": "13812345678", "address": "1 Elm St", "description": "leaking roof"}
    [view] = partner_views("demand.submitted", data)
    assert set(view.model_dump()) == {"change", "demand_id", "area_code", "area_path", "category", "state",
                                      "channel", "urgency", "assignee_unit_id", "occurred_at", "deadline", "feedback",
                                      "feedback_by", "imported", "callback_resolved", "callback_satisfaction",
                                      "callback_source"}


def test_a_demand_assigned_to_a_registered_unit_names_the_unit_but_not_a_free_text_assignee():
    data = {"demand_id": "d1", "area_code": "CY01", "area_path": "/CY/CY01/", "category": "elderly_care",
            "state": "assigned", "occurred_at": "2026-11-23T09:00:00Z", "assignee": "区住建委物业科 张科长",
            "assignee_unit_id": "u-cy-0001"}
    [view] = partner_views("demand.assigned", data)
    assert view.assignee_unit_id == "u-cy-0001" and "assignee" not in view.model_dump()


def test_asyncapi_describes_every_partner_event_with_valid_examples():
    doc = build_document()
    assert doc["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {e.topic for e in partner_events()}
    for message in doc["components"]["messages"].values():
        schema = {**message["payload"], "components": doc["components"]}
        assert message["examples"], message["name"]
        for example in message["examples"]:
            jsonschema.validate(example["payload"], schema)
            guard_payload = example["payload"]
            from yizhou.personal_data import find_personal_data
            assert find_personal_data(guard_payload) == []


def test_an_evaluation_reaches_the_webhooks_of_the_area_it_concerns():
    """The partner view keeps the community's path: the webhook bridge files deliveries by it (an
    evaluation without one reached no endpoint at all)."""
    from yizhou.webhooks.intake import area_path_of

    data = {"evaluation_id": "e-1", "subject_kind": "unit", "subject_id": "u-1", "organization_id": "o-1",
            "community_code": "CY01001", "community_path": "/CY/CY01/CY01001/", "period": "2026-Q3", "score": 91.5,
            "rating": "excellent", "evaluator_kind": "community", "published_at": "2026-10-01T08:00:00Z"}
    [view] = partner_views("evaluation.published", data)
    assert area_path_of(view.model_dump(mode="json")) == "/CY/CY01/CY01001/"
