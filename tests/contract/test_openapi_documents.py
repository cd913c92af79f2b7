"""The four OpenAPI documents say what is really sent, under names a client generator can use
(yizhou.openapi_document): every error answer is a `Problem` (problem+json), operationIds are unique
across the four services, every tag is declared, and every example validates against its own schema
(and names real service categories, where the schema takes free text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from yizhou.axis_copy import area_copy
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.errors import CATALOGUE, problem_type
from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import serve, service_app

METHODS = ("get", "put", "patch", "post", "delete")
# Maps of names to schemas: their keys are names, not schema keywords.
NAMED_SCHEMAS = ("properties", "patternProperties", "$defs", "schemas", "dependentSchemas")
# Example fields that hold service category codes even where the schema takes any text.
CATEGORY_FIELDS = ("category", "categories")


@pytest.fixture(scope="module")
def documents(make_settings) -> dict[str, dict]:
    out = {}
    for spec in SERVICES:
        create_app, settings_class = service_app(spec.name)
        out[spec.name] = create_app(make_settings(settings_class)).openapi()
    return out


def operations(doc: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_error_answer_is_a_problem(documents):
    for service, doc in documents.items():
        assert "HTTPValidationError" not in doc["components"]["schemas"], service
        problem = doc["components"]["schemas"]["Problem"]
        assert {"type", "title", "status", "detail", "instance", "errors"} <= problem["properties"].keys()
        assert problem_type("not-found") in problem["properties"]["type"]["description"]
        checked = 0
        for path, method, operation in operations(doc):
            for status, response in operation["responses"].items():
                if status[0] not in "45":
                    continue
                where = f"{service} {method.upper()} {path} {status}"
                content = response.get("content")
                assert content, f"{where}: no body documented"
                if path.startswith("/open311/"):   # GeoReport v2 answers its errors in its own format
                    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Open311Errors"}
                    continue
                assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, where
                checked += 1
        assert checked > 100, service


def test_a_sent_problem_validates_against_the_documented_schema(documents):
    doc = documents["demand-intake"]
    schema = {**doc["components"]["schemas"]["Problem"], "components": doc["components"]}
    jsonschema.validate({"type": problem_type("illegal-transition"), "title": CATALOGUE["illegal-transition"][1],
                         "status": 409, "detail": "A closed demand cannot be started.", "instance": "/api/v1/demands/x",
                         "current_state": "closed", "requested_state": "in_progress", "allowed_states": []}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"type": "about:blank", "title": "x", "status": 404, "detail": "x"}, schema)


def test_operation_ids_are_unique_across_the_four_services(documents):
    ids = Counter(op["operationId"] for doc in documents.values() for _, _, op in operations(doc))
    assert [i for i, n in ids.items() if n > 1] == []
    assert "demandIntake.demands.submit" in ids and "orgRegistry.areas.list" in ids
    for i in ids:   # <service>.<tag>.<verb>, each part an identifier a generator can keep
        assert len(i.split(".")) == 3 and all(part.isidentifier() for part in i.split(".")), i


def test_tags_are_declared_with_descriptions_and_servers_are_given(documents):
    for service, doc in documents.items():
        declared = {t["name"]: t.get("description") for t in doc["tags"]}
        used = {t for _, _, op in operations(doc) for t in op.get("tags", [])}
        assert used <= declared.keys(), f"{service}: undeclared {used - declared.keys()}"
        assert all(declared.values()), service
        assert doc["servers"], service


def _enums(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield node
        for value in node.values():
            yield from _enums(value)
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value)


def test_enums_a_client_shows_carry_their_chinese_labels(documents):
    """`x-enum-descriptions` (aligned with `enum`, what client generators read) and `x-enum-labels` per language:
    the same labels `GET /api/v1/labels` answers, so a screen needs no table of its own."""
    from yizhou.labels import labels_for

    described = {}
    for doc in documents.values():
        for node in _enums(doc):
            if "x-enum-name" in node:
                assert len(node["x-enum-descriptions"]) == len(node["enum"])
                assert node["x-enum-labels"]["zh-CN"] == labels_for(node["x-enum-name"], "zh-CN")
                described[node["x-enum-name"]] = dict(zip(node["enum"], node["x-enum-descriptions"], strict=True))
    assert described["category"]["elderly_care"] == "居家养老"
    assert described["setup_mode"]["working_committee"] == "街道（地区）工委"
    assert described["area_kind"]["village"] == "村"
    assert len(described) >= 20, sorted(described)


def _examples(node: Any, at: str, key: str = "") -> Iterator[tuple[str, dict, Any]]:
    """(where, schema, example) for every example in the document: a schema's `examples` / `example`, a
    parameter's or media type's `example` / `examples` (validated against its `schema`)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _examples(item, f"{at}/{i}")
        return
    if not isinstance(node, dict):
        return
    if key in NAMED_SCHEMAS:
        for name, schema in node.items():
            yield from _examples(schema, f"{at}/{name}")
        return
    if "schema" in node and isinstance(node["schema"], dict):   # a parameter or a media type
        if "example" in node:
            yield at + "/example", node["schema"], node["example"]
        for name, example in (node.get("examples") or {}).items():
            if "value" in example:
                yield f"{at}/examples/{name}", node["schema"], example["value"]
    else:   # a schema
        schema = {k: v for k, v in node.items() if k not in ("examples", "example")}
        if isinstance(node.get("examples"), list):
            for i, example in enumerate(node["examples"]):
                yield f"{at}/examples/{i}", schema, example
        if "example" in node:
            yield at + "/example", schema, node["example"]
    for name, value in node.items():
        if name not in ("example", "examples"):
            yield from _examples(value, f"{at}/{name}", name)


def _categories(example: Any) -> Iterator[str]:
    if isinstance(example, dict):
        for key, value in example.items():
            if key in CATEGORY_FIELDS:
                yield from ([value] if isinstance(value, str) else value if isinstance(value, list) else [])
            else:
                yield from _categories(value)
    elif isinstance(example, list):
        for item in example:
            yield from _categories(item)


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_example_validates_against_its_own_schema(service, documents):
    doc = documents[service]
    found = list(_examples({k: v for k, v in doc.items() if k in ("paths", "components")}, "#"))
    assert len(found) > 10, service
    bad = []
    for where, schema, example in found:
        validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]},
                                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        bad += [f"{where}: {e.json_path}: {e.message[:200]}" for e in validator.iter_errors(example)]
        # A category the schema lets through as text is still one of the 21, or project-matching drops it.
        bad += [f"{where}: unknown service category {c!r}" for c in _categories(example)
                if isinstance(c, str) and c not in SERVICE_CATEGORIES]
    assert bad == [], "\n".join(bad)


async def test_the_problems_really_sent_are_the_documented_ones(make_settings, unique_code, auth):
    create_app, settings_class = service_app("demand-intake")
    code = unique_code("P")
    async with serve(create_app(make_settings(settings_class, sweeper_enabled=False))) as client:
        async with client.app_state.db.sessions() as session, session.begin():
            await session.execute(area_copy.insert().values(code=code, name=code, level="district", parent_code=None,
                                                            path=f"/{code}/", retired=False, updated_at=datetime.now(UTC)))
        doc = (await client.get("/openapi.json")).json()
        admin = auth("district_admin", code)
        answers = {
            ("/api/v1/demands", "post", "422"): await client.post("/api/v1/demands", json={"channel": "fax"}, headers=admin),
            ("/api/v1/demands", "get", "400"): await client.get("/api/v1/demands", params={"undr": code}, headers=admin),
            ("/api/v1/demands/{demand_id}", "get", "404"): await client.get("/api/v1/demands/none", headers=admin),
            ("/api/v1/demands/{demand_id}", "get", "401"): await client.get("/api/v1/demands/none"),
        }
        for (path, method, status), response in answers.items():
            assert str(response.status_code) == status, response.text
            assert_documented(doc, path, method, response)


def assert_documented(doc: dict, path: str, method: str, response) -> None:
    """The answer's status is documented for the operation, and its body validates against what is."""
    where = f"{method.upper()} {path} {response.status_code}"
    documented = doc["paths"][path][method]["responses"].get(str(response.status_code))
    assert documented is not None, f"{where}: undocumented ({response.text[:200]})"
    media = response.headers["content-type"].split(";")[0]
    assert media in documented.get("content", {}), f"{where}: {media} undocumented"
    errors = list(jsonschema.Draft202012Validator({**documented["content"][media]["schema"],
                                                   "components": doc["components"]}).iter_errors(response.json()))
    assert errors == [], f"{where}: {[e.message[:200] for e in errors]}"


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_every_operation_documents_what_it_answers_to_bad_requests(service, make_settings, unique_code, auth):
    # A query parameter no operation takes and a body no operation accepts, as the district's admin and
    # without a token: whatever each operation refuses with is documented, with the body it sends.
    create_app, settings_class = service_app(service)
    async with serve(create_app(make_settings(settings_class))) as client:
        doc = (await client.get("/openapi.json")).json()
        admin = auth("district_admin", unique_code("P"))
        for path, method, operation in operations(doc):
            if path.startswith("/open311/"):   # parsed by hand, in its own format: tests/api/test_open311_api.py
                continue
            url = path.replace("{fmt}", "json")
            for name in [n[1:-1] for n in url.split("/") if n.startswith("{")]:
                url = url.replace("{" + name + "}", "00000000-0000-4000-8000-000000000000")
            tries = [{"params": {"zz": "1"}, "headers": admin}, {}]
            if "requestBody" in operation:
                tries.append({"json": {"unexpected": 1}, "headers": admin})
            for kwargs in tries:
                response = await client.request(method, url, **kwargs)
                if response.status_code >= 400:
                    assert_documented(doc, path, method, response)
