"""The OpenAPI document as a client generator needs it: what is really sent, under names it can use.

FastAPI's own document describes error answers by a description only (or as its `HTTPValidationError`,
which this platform never sends), names operations `create_area_api_v1_areas_post` (the same name in
three services), uses tags without declaring them and has no `servers`. `complete_document` rewrites it:
- a `Problem` schema (RFC 9457 plus `errors[]` and the extension members the catalogue's kinds carry)
  on every 4xx/5xx answer, under `application/problem+json` (`yizhou.problems` renders them);
- operationIds `<service>.<tag>.<verb>` from the route function's name (`demandIntake.demands.submit`),
  unique across the four services because the service's name leads;
- the tags declared, each described by the first paragraph of its router module's docstring;
- `servers`: the service itself, relative to where the document was fetched.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from yizhou.errors import CATALOGUE, PROBLEM_BASE, problem_type
from yizhou.labels import labels_for, registered_enums
from yizhou.list_parameters import OPEN_QUERY
from yizhou.problems import MEDIA_TYPE
from yizhou.rate_limits import EXEMPT_PATHS

_METHODS = ("get", "put", "patch", "post", "delete", "head", "options")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# FastAPI's 422 body; the platform answers problem+json instead (`install_problem_handlers`).
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")

# The tag of the routes every service gets from `yizhou.service_app` (its module docstring is for developers).
SHARED_TAGS = {"operations": "Liveness, readiness and the AsyncAPI contract of the partner event topics; "
                             "no token needed."}


def _field_error_schema() -> dict[str, Any]:
    return {
        "title": "ProblemFieldError",
        "type": "object",
        "description": "One field that is missing or invalid (or one bad row of an imported sheet).",
        "properties": {
            "field": {"type": "string", "description": "The field, dotted for nested ones (`resident.phone`)"},
            "location": {"type": "string", "description": "Where the field is: `body`, `query`, `path`, `header`"},
            "message": {"type": "string", "description": "What is wrong, for people"},
            "code": {"type": "string", "description": "What is wrong, for programs (`missing`, `string_too_long`, ...)"},
            "row": {"type": "integer", "description": "A sheet import's row (the header is row 1)"},
            "column": {"type": ["string", "null"], "description": "A sheet import's column"},
            "reason": {"type": "string", "description": "Why a sheet import's row is bad"},
        },
        "additionalProperties": True,
    }


def problem_schema(catalogue: dict[str, tuple[int, str]] | None = None) -> dict[str, Any]:
    """RFC 9457 problem details with the members this platform adds. `type` is not an enum: a service
    registers its own kinds, and RFC 9457 clients treat an unknown type as its status's generic one."""
    catalogue = CATALOGUE if catalogue is None else catalogue
    kinds = "\n".join(f"- `{problem_type(kind)}` ({status}): {title}"
                      for kind, (status, title) in sorted(catalogue.items()))
    return {
        "title": "Problem",
        "type": "object",
        "description": "An RFC 9457 problem (`application/problem+json`). Branch on `type`, never on `title` or "
                       "`detail`, which are for people. Some kinds add members (below); others may follow.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri", "pattern": "^" + re.escape(PROBLEM_BASE) + "[a-z0-9-]+$",
                     "description": "The kind of problem, stable. The catalogue:\n" + kinds,
                     "examples": [problem_type("validation")]},
            "title": {"type": "string", "description": "The kind's title (the same for every problem of a kind)"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status"},
            "detail": {"type": "string", "description": "This occurrence, for people"},
            # No `format`: the path is sent decoded, so a client's odd path is not always a URI reference.
            "instance": {"type": "string", "description": "The request's path"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"},
                       "description": "`validation`, `malformed-request`, `unknown-parameter`, `import-rejected`, "
                                      "`unknown-reference`: each bad field (or row)"},
            "current_state": {"type": "string", "description": "`illegal-transition`: the state the record is in"},
            "requested_state": {"type": "string", "description": "`illegal-transition`: the state asked for"},
            "allowed_states": {"type": "array", "items": {"type": "string"},
                               "description": "`illegal-transition`: the states reachable from the current one"},
            "checks": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "`unavailable` from `/readyz`: each dependency and its state"},
            "retry_after_s": {"type": "integer", "description": "`rate-limited`: seconds to wait (also `Retry-After`)"},
            "limit_per_minute": {"type": "integer", "description": "`rate-limited`: the limit that was reached"},
        },
        "additionalProperties": True,
        "examples": [{"type": problem_type("validation"), "title": CATALOGUE["validation"][1], "status": 422,
                      "detail": "Some fields are missing or invalid.", "instance": "/api/v1/demands",
                      "errors": [{"field": "category", "location": "body", "message": "Input should be 'elderly_care', ...",
                                  "code": "enum"}]}],
    }


def open311_errors_schema() -> dict[str, Any]:
    return {
        "title": "Open311Errors",
        "type": "array",
        "description": "Open311 GeoReport v2's error answer (its own format, not problem+json).",
        "items": {"type": "object", "required": ["code", "description"],
                  "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
    }


def _camel(text: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    return "".join(w.lower() if i == 0 else w[0].upper() + w[1:].lower() for i, w in enumerate(words))


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.split(r"[^0-9A-Za-z]+", text) if w]


def _route_name(operation_id: str, path: str, method: str) -> str:
    """The route function's name, from FastAPI's default id (`fastapi.utils.generate_unique_id`)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    return operation_id[:-len(suffix)] if operation_id.endswith(suffix) else operation_id


def _singular(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word


def _verb(name: str, tag: str, path: str) -> str:
    """The function's name less the words its tag already says: `list_areas` under `areas` is `list`,
    `approve_claim` under `claims` is `approve`. A name that is nothing but its tag, or that spells the
    path's last segment (`led_hubs` for `.../led-hubs`), stays whole."""
    tag_words = {form for w in _words(tag) for form in (w, _singular(w))}
    segment = [s for s in path.split("/") if s and not s.startswith("{")][-1:]
    if segment and _words(name) == _words(segment[0].split(".", 1)[0]):
        return _camel(name)
    kept = [w for w in _words(name) if w not in tag_words and _singular(w) not in tag_words]
    return _camel("_".join(kept or _words(name)))


def _operations(spec: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if method in _METHODS:
                yield path, method, operation


def _name_operations(spec: dict[str, Any], service: str) -> None:
    named = []
    for path, method, operation in _operations(spec):
        name = _route_name(operation.get("operationId", ""), path, method)
        tag = (operation.get("tags") or ["default"])[0]
        named.append((operation, name, tag, _verb(name, tag, path)))
    # Two routes of one tag that shorten alike (`list_units`, `list_members` under `units and members`) keep
    # their whole names; every id stays the same from one build to the next.
    clashes = Counter((tag, verb) for _, _, tag, verb in named)
    for operation, name, tag, verb in named:
        verb = verb if clashes[(tag, verb)] == 1 else _camel(name)
        operation["operationId"] = f"{_camel(service)}.{_camel(tag)}.{verb}"


def _errors_of(operation: dict[str, Any]) -> dict[str, Any]:
    if operation.get(OPEN_QUERY):
        # A facade of an outside standard (Open311 GeoReport v2) answers its errors in that standard's format.
        body = {"schema": {"$ref": "#/components/schemas/Open311Errors"}}
        return {"application/json": body, "text/xml": {"schema": {"type": "string"}}}
    return {MEDIA_TYPE: {"schema": PROBLEM_REF}}


def _refusals_of_every_operation(path: str, operation: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What any operation may answer besides its own refusals: an unknown query parameter (the app-wide
    `reject_unknown_parameters`), a missing or bad token where it needs one, and, outside the exempt paths,
    a rate limit (`yizhou.rate_limits`)."""
    bad = ["a query parameter this operation does not take (`unknown-parameter`)"]
    if "requestBody" in operation:
        bad.append("a body that is not JSON (`malformed-request`)")
    if any(p.get("name") == "after" for p in operation.get("parameters", [])):
        bad.append("an `after` that is not a `next_cursor` this API handed out (`bad-cursor`)")
    described = ", ".join(bad[:-1]) + (", or " if len(bad) > 1 else "") + bad[-1]
    refusals = {"400": {"description": described[0].upper() + described[1:]}}
    if operation.get("security"):
        refusals["401"] = {"description": "No token, or one that is expired, forged or revoked (`unauthenticated`)"}
    if path not in EXEMPT_PATHS:
        refusals["429"] = {"description": "Too many requests (`rate-limited`); `Retry-After` says when to retry"}
    return refusals


def _document_problems(spec: dict[str, Any]) -> None:
    for path, _, operation in _operations(spec):
        responses = operation.setdefault("responses", {})
        if operation.get(OPEN_QUERY):
            # A facade parses its parameters by hand, so FastAPI's 422 is never sent; these are what it answers
            # (demand_intake.api.open311.guarded).
            responses.pop("422", None)
            for status, description in (("400", "Invalid request"), ("401", "No or bad token"),
                                        ("403", "Not allowed for this role"), ("404", "Unknown, or outside your area")):
                responses.setdefault(status, {"description": description})
        else:
            for status, response in _refusals_of_every_operation(path, operation).items():
                responses.setdefault(status, response)
        for status, response in responses.items():
            if status[:1] in ("4", "5"):
                content = response.get("content", {})
                if not content or all(_is_fastapi_validation(c) for c in content.values()):
                    response["content"] = _errors_of(operation)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas["Problem"] = problem_schema()
    schemas["ProblemFieldError"] = _field_error_schema()
    if any(operation.get(OPEN_QUERY) for _, _, operation in _operations(spec)):
        schemas["Open311Errors"] = open311_errors_schema()


def _is_fastapi_validation(media: dict[str, Any]) -> bool:
    ref = media.get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] in _FASTAPI_VALIDATION


def _routes(routers: Iterable[APIRouter]) -> Iterable[APIRoute]:
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):   # an included router (FastAPI's `_IncludedRouter`)
                yield from _routes([route.original_router])


def tag_descriptions(routers: Iterable[APIRouter]) -> dict[str, str]:
    """Each tag's description: the first paragraph of the docstring of the module its routes live in."""
    described: dict[str, str] = dict(SHARED_TAGS)
    for route in _routes(routers):
        doc = (sys.modules[route.endpoint.__module__].__doc__ or "").strip()
        for tag in route.tags:
            if tag not in described and doc:
                described[tag] = " ".join(doc.split("\n\n", 1)[0].split())
    return described


def _declare_tags(spec: dict[str, Any], routers: Iterable[APIRouter]) -> None:
    descriptions = tag_descriptions(routers)
    used = list(dict.fromkeys(t for _, _, operation in _operations(spec) for t in operation.get("tags", [])))
    declared = {t["name"]: t for t in spec.get("tags", [])}
    spec["tags"] = [declared.get(tag) or {"name": tag, "description": descriptions.get(tag, tag)} for tag in used]


def _describe_enums(spec: dict[str, Any], service: str) -> None:
    """Every enum a client shows gets its labels (the ones `GET /api/v1/labels` answers): `x-enum-descriptions`
    in the district's default language, aligned with `enum` (what client generators read), and `x-enum-labels`
    per language. An enum is recognised by its set of values."""
    by_values: dict[frozenset[str], str] = {}
    for name, labels in registered_enums(service).items():
        by_values.setdefault(frozenset(labels), name)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            values = node.get("enum")
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                name = by_values.get(frozenset(values))
                if name is not None:
                    zh, en = labels_for(name, "zh-CN"), labels_for(name, "en")
                    node["x-enum-name"] = name
                    node["x-enum-descriptions"] = [zh.get(v, v) for v in values]
                    node["x-enum-labels"] = {"zh-CN": {v: zh.get(v, v) for v in values},
                                             "en": {v: en.get(v, v) for v in values}}
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec)


def complete_document(spec: dict[str, Any], *, service: str, routers: Iterable[APIRouter]) -> dict[str, Any]:
    """FastAPI's document of `service`, made truthful (see the module's docstring). Links
    (`yizhou.openapi_links`) name operations by id, so they are added after this."""
    _document_problems(spec)
    _name_operations(spec, service)
    _declare_tags(spec, routers)
    _describe_enums(spec, service)
    # Relative to where the document was fetched (OpenAPI 3.1, Server Object): the service itself, also behind the
    # gateway, which serves it under a path prefix the service does not know (deploy/gateway/Caddyfile).
    spec.setdefault("servers", [{"url": ".", "description": "This service, where this document was fetched from"}])
    return spec
