"""Bad input to every write of every service (from the live OpenAPI documents): oversized bodies and
fields, malformed and truncated JSON, wrong types, unknown areas, unicode edge cases, and replayed
Idempotency-Keys. Each must get a 4xx application/problem+json with a stable `type`, never a 5xx."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from openapi_catalogue import EXAMPLE_CODE, Branch, Seeds, body_for, branches, operations, path_for, report

pytestmark = pytest.mark.security

SERVICES = ("org-registry", "demand-intake", "project-matching", "dual-registration")
PROBLEM = "application/problem+json"
UNICODE_EDGES = {
    "nul": "a\u0000b",
    "rtl override": "\u202eevil\u202c",
    "zero width": "\u200b\u200d\ufeff",
    "astral emoji": "🏘️👨‍👩‍👧‍👦𠮷",
    "combining flood": "a" + "\u0301" * 500,
    "long": "长" * 20000,
    "empty": "",
    "whitespace": " \t\n ",
}


def writes(service: str, doc: dict) -> list:
    return [op for op in operations(service, doc)
            if op.method in ("post", "put", "patch") and op.body_example is not None and "fmt" not in op.path_params]


def assert_problem(r: httpx.Response, label: str, statuses: tuple[int, ...] | None = None) -> dict:
    assert r.status_code < 500, f"{label}: {r.status_code} {r.text[:300]}"
    if statuses:
        assert r.status_code in statuses, f"{label}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith(PROBLEM), f"{label}: {r.headers.get('content-type')}"
        body = r.json()
        assert body["type"].startswith("urn:yizhou:problem:") and body["status"] == r.status_code, (label, body)
        return body
    return {}


def strings_replaced(value, replacement):
    """Every string of an example body replaced (area codes too: an edge case is also an unknown area)."""
    if isinstance(value, dict):
        return {k: strings_replaced(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [strings_replaced(v, replacement) for v in value]
    return replacement if isinstance(value, str) else value


def wrong_types(value):
    """Every field of an example body given a value of another JSON type."""
    if isinstance(value, dict):
        return {k: (123 if isinstance(v, str) else "not-a-number" if isinstance(v, (int, float)) and not
                    isinstance(v, bool) else {"x": 1} if isinstance(v, (list, bool)) else wrong_types(v))
                for k, v in value.items()}
    return ["wrong"]


@pytest.fixture(scope="module")
def admin(token, axis) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('district_admin', axis['d1'])}"}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_write_refuses_bad_bodies_with_a_problem(service, security_platform, openapi_documents, axis,
                                                            admin):
    base = security_platform[service].url
    tree = branches(axis)
    ops = writes(service, openapi_documents[service])
    sent = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for op in ops:
            path = path_for(op, tree[1], Seeds())
            label = f"{service} {op.label}"
            # Oversized: over the 1 MiB limit, declared and undeclared (chunked) length.
            big = json.dumps({"description": "x" * (2 << 20)})
            r = await client.request(op.method, path, content=big, headers={**admin, "content-type": "application/json"})
            assert assert_problem(r, f"{label} 2 MiB body", (413,))["type"] == "urn:yizhou:problem:payload-too-large"

            async def chunks():
                for _ in range(40):
                    yield b"x" * 65536

            r = await client.request(op.method, path, content=chunks(), headers={**admin, "content-type": "application/json"})
            assert_problem(r, f"{label} 2.5 MiB chunked body", (413,))
            # Malformed and truncated JSON, a JSON array, the wrong media type.
            good = json.dumps(body_for(op.body_example, tree[1]))
            for name, raw in (("truncated", good[: len(good) // 2]), ("not json", "{'a': 1,}"), ("array", "[1, 2]"),
                              ("bare null", "null"), ("invalid utf-8", b"{\"a\": \"\xff\xfe\"}"),
                              ("lone surrogate", '{"name": "\\ud800"}')):
                r = await client.request(op.method, path, content=raw, headers={**admin, "content-type": "application/json"})
                assert_problem(r, f"{label} {name}", (400, 404, 409, 415, 422) if name != "bare null" else None)
            r = await client.request(op.method, path, content=good, headers={**admin, "content-type": "text/plain"})
            assert_problem(r, f"{label} text/plain")
            r = await client.request(op.method, path, json=wrong_types(body_for(op.body_example, tree[1])), headers=admin)
            assert_problem(r, f"{label} wrong types", (400, 404, 409, 422))
            for name, edge in UNICODE_EDGES.items():
                r = await client.request(op.method, path, json=strings_replaced(op.body_example, edge), headers=admin)
                assert_problem(r, f"{label} unicode {name}")
            # Unknown areas: every area code of the example pointed at an area no service has.
            unknown = json.loads(json.dumps(op.body_example), object_hook=lambda d: {
                k: (f"NOPE{uuid.uuid4().hex[:8]}" if isinstance(v, str) and EXAMPLE_CODE.match(v) else v)
                for k, v in d.items()})
            if unknown != op.body_example:
                r = await client.request(op.method, path, json=body_for(unknown, tree[1]), headers=admin)
                assert_problem(r, f"{label} unknown area", (403, 404, 409, 422))
            sent += 13 + len(UNICODE_EDGES)
    report(f"\n== bad input {service}: {len(ops)} writes x {13 + len(UNICODE_EDGES)} bad bodies = {sent} requests, "
          f"every one a 4xx problem (or a clean 2xx for valid odd unicode)")


async def test_big_ids_and_odd_path_values_are_4xx(security_platform, openapi_documents, admin):
    """Path values a client can type: huge numbers (the webhook delivery id once overflowed BIGINT: 500),
    unicode, dots, very long values."""
    checked = 0
    async with httpx.AsyncClient(timeout=30) as client:
        for service, doc in openapi_documents.items():
            base = security_platform[service].url
            for op in operations(service, doc):
                if not op.record_params or "fmt" in op.path_params:
                    continue
                for value in ("99999999999999999999999", "-1", "0", "%F0%9F%8F%98", "..", "a" * 5000, "%00"):
                    path = op.path
                    for name in op.path_params:
                        path = path.replace("{" + name + "}", value)
                    r = await client.request(op.method, base + path, headers=admin,
                                             json=op.body_example if op.body_example is not None else None)
                    assert_problem(r, f"{service} {op.method.upper()} {path[:120]}")
                    checked += 1
    report(f"\n== odd path values: {checked} requests, no 5xx")


async def test_replayed_idempotency_keys(security_platform, openapi_documents, axis, admin):
    """Every create that takes an Idempotency-Key: the same key and body give the first answer again
    (one record), the same key with another body is a 422 `idempotency-key-reused`. Steps on a record
    (a path id) and creates whose example names records this suite does not seed (a registration, a
    member) or that the admin may not make (a member's check-in) answer a clean 4xx here; the services'
    own tests replay those."""
    # The community, not the grid: the matrix may have retired the grid (org-registry's retire is in it).
    own = branches(axis)[1]
    place = Branch(1, own.d, own.s, own.c, own.c)
    checked, unseeded, steps, fixed_bodies = [], [], [], []
    async with httpx.AsyncClient(timeout=30) as client:
        for service, doc in openapi_documents.items():
            for op in operations(service, doc):
                if not any(p.get("in") == "header" and p["name"].lower() == "idempotency-key" for p in op.params):
                    continue
                if not op.creates:
                    steps.append(f"{service} {op.label}")
                    continue
                base = security_platform[service].url
                key = {"Idempotency-Key": f"sec-{uuid.uuid4()}"}
                body = body_for(op.body_example, place)
                first = await client.post(base + op.path, json=body, headers={**admin, **key})
                if first.status_code not in (200, 201):
                    assert_problem(first, f"{op.label} first", (403, 404, 409, 422))
                    unseeded.append(f"{service} {op.label}")
                    continue
                again = await client.post(base + op.path, json=body, headers={**admin, **key})
                assert (again.status_code, again.json()) == (first.status_code, first.json())
                other = strings_replaced(body, "另一份不同的请求内容") if not isinstance(body, dict) else {
                    **body, **{k: v + " (changed)" for k, v in body.items() if isinstance(v, str) and
                               k in ("description", "name", "title", "summary", "note")}}
                if other == body:  # no free-text field to change
                    fixed_bodies.append(f"{service} {op.label}")
                    continue
                reused = await client.post(base + op.path, json=other, headers={**admin, **key})
                assert assert_problem(reused, f"{op.label} reused key", (422,))["type"] == \
                    "urn:yizhou:problem:idempotency-key-reused"
                checked.append(f"{service} {op.label}")
    report(f"\n== idempotency keys replayed on: {checked}; replayed without another body: {fixed_bodies}; "
           f"refused for want of seeded records: {unseeded}; steps on a record: {len(steps)}")
    assert checked, "no write takes an Idempotency-Key yet"
