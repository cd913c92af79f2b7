"""The authorization matrix, table-driven from each service's live OpenAPI document: every operation x
every role x own branch / sibling branch / other district, plus no token, expired, forged, unknown
role and unsigned (alg=none) tokens. It fails on:

- any 5xx;
- a secured operation that does not answer a bad or missing token with 401 `unauthenticated`;
- a cross-area write or read: a 2xx on a record (path) or create (body) outside the caller's subtree;
- a leak: a 2xx whose body names a record or area outside the caller's subtree (lists, filters);
- personal data: a 2xx that shows a planted resident's name, phone or address to a role that must
  not see it (party members, residents other than the one concerned, partners), or to anyone on a
  public endpoint.

Records are seeded per branch through each service's own create endpoints (their documented
examples), so new endpoints join the matrix as they appear.
"""

from __future__ import annotations

from collections import Counter

import httpx
import jwt
import pytest

from openapi_catalogue import (CANARIES, PUBLIC_PATHS, Branch, Seeds, body_for, branches, created_id, operations,
                               path_for, query_for, report)
from yizhou.auth import mint_token
from yizhou.personal_data import STAFF_ROLES
from yizhou_platform.testing import TEST_JWT_SECRET

pytestmark = pytest.mark.security

ROLE_LEVEL = {"district_admin": "d", "subdistrict_admin": "s", "community_worker": "c", "grid_worker": "g",
              "party_member": "c", "resident": "g", "partner": "s"}
SEEDERS = [("district_admin", "d"), ("subdistrict_admin", "s"), ("community_worker", "c"), ("partner", "s"),
           ("resident", "g"), ("party_member", "c")]
SERVICES = ("org-registry", "demand-intake", "project-matching", "dual-registration")


def in_scope(role: str, branch: int) -> bool:
    return branch in ((1, 2) if role == "district_admin" else (1,))


def bad_tokens(area: str) -> dict[str, str]:
    claims = {"sub": "x", "role": "district_admin", "area": area, "iss": "yizhou", "exp": 4102444800}
    return {
        "no token": "",
        "expired": mint_token(TEST_JWT_SECRET, role="district_admin", area=area, ttl_s=-120),
        "forged (other secret)": mint_token("an-attacker-secret-that-is-long-enough-0123", role="district_admin",
                                           area=area),
        "unknown role": jwt.encode({**claims, "role": "superuser"}, TEST_JWT_SECRET, algorithm="HS256"),
        "unsigned (alg=none)": jwt.encode(claims, None, algorithm="none"),
        "not a JWT": "abc.def.ghi",
    }


async def request(client: httpx.AsyncClient, base: str, op, branch: Branch, seeds: Seeds, headers: dict):
    kwargs = {"params": query_for(op, branch)}
    if op.body_example is not None:
        kwargs["json"] = body_for(op.body_example, branch, seeds.by_name(op.service, branch.number))
    elif op.body_required:
        kwargs["json"] = {}
    return await client.request(op.method.upper(), base + path_for(op, branch, seeds), headers=headers, **kwargs)


@pytest.fixture(scope="module")
async def seeded(security_platform, openapi_documents, axis, token) -> Seeds:
    """One record per create endpoint in each branch, made by the first role allowed to make it."""
    seeds = Seeds()
    tree = branches(axis)
    async with httpx.AsyncClient(timeout=30) as client:
        for service in SERVICES:
            base = security_platform[service].url
            for op in operations(service, openapi_documents[service]):
                if not op.creates:
                    continue
                for number, branch in tree.items():
                    body = body_for(op.body_example, branch, seeds.by_name(service, number))
                    for role, level in SEEDERS:
                        headers = {"Authorization": f"Bearer {token(role, getattr(branch, level))}"}
                        r = await client.post(base + op.path, json=body, headers=headers)
                        if r.status_code < 300 and created_id(r.json()):
                            seeds.ids[(service, op.collection, number)] = created_id(r.json())
                            seeds.creators[(service, op.collection, number)] = role
                            break
    return seeds


@pytest.mark.parametrize("service", SERVICES)
async def test_authorization_matrix(service, security_platform, openapi_documents, seeded, axis, token):
    tree = branches(axis)
    base = security_platform[service].url
    ops = [op for op in operations(service, openapi_documents[service]) if op.path not in PUBLIC_PATHS]
    violations: list[str] = []
    tally: Counter = Counter()
    owners = {role for (svc, _, _), role in seeded.creators.items() if svc == service}
    own_codes = tree[1].codes

    def out_of_scope_names(role: str) -> set[str]:
        outside = {n for n in tree if not in_scope(role, n)}
        codes = set().union(*(tree[n].codes for n in outside)) - own_codes if outside else set()
        return codes | seeded.out_of_scope(service, outside)

    async with httpx.AsyncClient(timeout=30) as client:
        for op in ops:
            # Secured: declared so in the document, or found so (an endpoint that authenticates by itself,
            # e.g. the Open311 facade, answers 401 without a token).
            probe = await request(client, base, op, tree[1], seeded, {})
            secured = op.secured or probe.status_code == 401
            if secured:
                for kind, bad in bad_tokens(axis["d1"]).items():
                    headers = {"Authorization": f"Bearer {bad}"} if bad else {}
                    try:
                        r = await request(client, base, op, tree[1], seeded, headers)
                    except httpx.HTTPError as exc:
                        violations.append(f"{op.label} with {kind}: no answer ({type(exc).__name__})")
                        continue
                    tally["bad token"] += 1
                    body = r.json() if r.headers.get("content-type", "").startswith("application/") else {}
                    # Facades with their own error format (Open311) still must refuse with 401.
                    problem_ok = not op.secured or (isinstance(body, dict) and
                                                    body.get("type") == "urn:yizhou:problem:unauthenticated")
                    if r.status_code != 401 or not problem_ok:
                        violations.append(f"{op.label} with {kind}: {r.status_code} {r.text[:160]}")
            for role, level in ROLE_LEVEL.items():
                headers = {"Authorization": f"Bearer {token(role, getattr(tree[1], level))}"}
                hidden = out_of_scope_names(role)
                for number, branch in tree.items():
                    cell = f"{op.label} as {role}@{getattr(tree[1], level)} on branch {number}"
                    try:
                        r = await request(client, base, op, branch, seeded, headers)
                    except httpx.HTTPError as exc:
                        violations.append(f"{cell}: no answer ({type(exc).__name__})")
                        continue
                    tally[f"{r.status_code // 100}xx"] += 1
                    if r.status_code >= 500:
                        violations.append(f"{cell}: {r.status_code} {r.text[:160]}")
                        continue
                    if r.status_code >= 300:
                        continue
                    # A create targets a branch when its body names the branch's areas (a webhook endpoint does not).
                    targets_record = bool(op.record_params) or (op.creates and body_for(
                        op.body_example, tree[1], {}) != body_for(op.body_example, branch, {}))
                    if secured and not in_scope(role, number) and targets_record:
                        kind = "read" if op.method == "get" else "write"
                        violations.append(f"{cell}: cross-area {kind} answered {r.status_code}")
                    if secured:
                        leaked = sorted(name for name in hidden if name in r.text)
                        if leaked:
                            violations.append(f"{cell}: names records outside the caller's area: {leaked[:5]}")
                    if (role not in STAFF_ROLES and role not in owners) or not secured:
                        shown = [k for k, v in CANARIES.items() if v in r.text]
                        if shown:
                            violations.append(f"{cell}: shows personal data ({', '.join(shown)}) unmasked")

    seeded_here = sorted({c for (svc, c, _) in seeded.ids if svc == service})
    report(f"\n== authorization matrix {service}: {len(ops)} operations, {sum(tally.values())} requests "
          f"({dict(sorted(tally.items()))}); seeded collections: {seeded_here or 'none'}; violations: {len(violations)}")
    assert not violations, "\n".join(violations[:40])
