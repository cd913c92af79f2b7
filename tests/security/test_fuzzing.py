"""schemathesis against each running service's own OpenAPI document, with a valid token: whatever a
client sends (generated from the schema: valid, edge and broken values), the answer is never a 5xx
and never a response that breaks the schema the service publishes for it. As the district's admin
(every operation reaches its rules) and as a resident of a grid (the refusals, scopes and own-records
paths; fewer examples, a quarter).

`FUZZ_EXAMPLES` (default 12) sets the examples per operation; runs are derandomized (the same cases
each run, so CI is repeatable) unless `FUZZ_RANDOM=1`. Operations whose body carries a URL
the platform would call back (webhook endpoints) are left out: generated hosts would send traffic
off this machine; the matrix and the webhook tests cover them with loopback URLs.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from openapi_catalogue import report

pytestmark = pytest.mark.security

SERVICES = ("org-registry", "demand-intake", "project-matching", "dual-registration")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Derandomized by default so CI is repeatable (a failure shows again on the next run); FUZZ_RANDOM=1 explores.
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


def calls_back(operation) -> bool:
    """True when the request body has a URL field (something the platform would later call)."""
    text = str(operation.definition.raw.get("requestBody", {})) + str(
        [operation.schema.raw_schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
         for ref in _refs(operation.definition.raw.get("requestBody", {}))])
    return "'url'" in text or "_url'" in text


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


ROLES = {"district_admin": ("d1", EXAMPLES), "resident": ("g1", max(2, EXAMPLES // 4))}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("service", SERVICES)
def test_fuzz_openapi(service, role, security_platform, axis, token):
    base = security_platform[service].url
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    area, examples = ROLES[role]
    headers = {"Authorization": f"Bearer {token(role, axis[area])}"}
    failures: list[str] = []
    fuzzed, skipped = [], []
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ("/readyz",) or calls_back(operation):
            skipped.append(operation.label)
            continue
        fuzzed.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def fuzz(case):
            response = case.call_and_validate(base_url=base, headers=headers, timeout=30,
                                              checks=[not_a_server_error, response_schema_conformance])
            statuses[response.status_code] += 1

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # one operation's failure must not hide the others'
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    report(f"\n== fuzzing {service} as {role}: {len(fuzzed)} operations x up to {examples} examples, "
          f"{sum(statuses.values())} requests answered {dict(sorted(statuses.items()))}; "
          f"left out: {skipped or 'none'}; failing operations: {len(failures)}")
    assert fuzzed, "no operation was fuzzed"
    assert not failures, "\n\n".join(failures)
