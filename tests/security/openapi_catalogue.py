"""Every operation of a service, read from its live OpenAPI document, with a concrete request for a
target branch of the axis: path parameters filled with seeded records of that branch, the request
body taken from the operation's own documented example with its area codes moved to that branch,
its personal fields replaced by canaries the tests look for, and its URLs pointed at loopback.

So the security tests grow with the services: a new endpoint with an example is seeded, targeted
and checked without touching this suite.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

# Values planted in seeded records; a role that must not see personal data must never see these.
CANARIES = {"name": "甄测试", "phone": "13912340077", "address": "金台路99号院7号楼3单元"}
PERSONAL_KEYS = {"phone": "phone", "mobile": "phone", "contact_phone": "phone", "resident_phone": "phone",
                 "address": "address", "exact_address": "address", "home_address": "address"}
PERSON_CONTAINERS = ("resident", "contact", "person", "member")
LOOPBACK_URL = "http://127.0.0.1:9/yizhou-security-test"  # nothing listens: no traffic leaves the machine
EXAMPLE_CODE = re.compile(r"^CY(\d*)$")  # the demo district's codes in the services' examples
# Every security test's figures, also printed in pytest's terminal summary (uncaptured in CI logs).
FIGURES: list[str] = []


def report(line: str) -> None:
    FIGURES.append(line.strip("\n"))
    print(line)


PUBLIC_PATHS = {"/healthz", "/readyz", "/asyncapi.json", "/metrics", "/openapi.json"}


@dataclass
class Operation:
    service: str
    method: str
    path: str
    secured: bool
    params: list[dict]
    body_example: Any = None
    body_required: bool = False

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def record_params(self) -> list[str]:
        """Path parameters that name a record (not a format suffix such as Open311's `.{fmt}`)."""
        return [p for p in self.path_params if p != "fmt"]

    @property
    def collection(self) -> str:
        """The collection a path addresses: `/api/v1/demands/{demand_id}/accept` -> `/api/v1/demands`."""
        return self.path.split("/{")[0].rstrip("/")

    @property
    def creates(self) -> bool:
        return self.method == "post" and not self.record_params and self.body_example is not None


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(doc: dict, schema: dict) -> Any:
    schema = _resolve(doc, schema)
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            if option.get("type") != "null":
                return _example(doc, option)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    return None


def operations(service: str, doc: dict) -> list[Operation]:
    found = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = op.get("requestBody", {})
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            found.append(Operation(service, method, path, secured="security" in op, params=op.get("parameters", []),
                                   body_example=_example(doc, schema) if schema else None,
                                   body_required=bool(body.get("required"))))
    return found


@dataclass
class Branch:
    """One branch of the axis: district, subdistrict, community, grid codes."""

    number: int
    d: str
    s: str
    c: str
    g: str

    def code_for(self, example: str) -> str:
        digits = EXAMPLE_CODE.match(example).group(1)
        return {0: self.d, 1: self.s, 2: self.s, 3: self.c, 4: self.c, 5: self.c}.get(len(digits), self.g)

    @property
    def codes(self) -> set[str]:
        return {self.d, self.s, self.c, self.g}


def branches(axis: dict[str, str]) -> dict[int, Branch]:
    return {1: Branch(1, axis["d1"], axis["s1"], axis["c1"], axis["g1"]),
            2: Branch(2, axis["d1"], axis["s2"], axis["c2"], axis["g2"]),
            3: Branch(3, axis["d2"], axis["s3"], axis["c3"], axis["g3"])}


def body_for(example: Any, branch: Branch, seeds: dict[str, str] | None = None) -> Any:
    """The example moved to `branch`: area codes, personal canaries, loopback URLs, seeded ids."""

    def walk(value: Any, key: str = "", parent: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k, key) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key, parent) for v in value]
        if not isinstance(value, str):
            return value
        if EXAMPLE_CODE.match(value):
            return branch.code_for(value)
        if value.startswith(("http://", "https://")):
            return LOOPBACK_URL
        if key in PERSONAL_KEYS:
            return CANARIES[PERSONAL_KEYS[key]]
        if key == "name" and any(p in parent for p in PERSON_CONTAINERS):
            return CANARIES["name"]
        if seeds and key.endswith("_id"):
            for name, seeded in seeds.items():
                if key[:-3].endswith(name):
                    return seeded
        return value

    return walk(copy.deepcopy(example))


def created_id(payload: Any) -> str | None:
    """The id of what a create answered with: `id`, or the `id` of its one nested record, or `code`."""
    if not isinstance(payload, dict):
        return None
    for key in ("id", "code"):
        if isinstance(payload.get(key), str):
            return payload[key]
    for value in payload.values():
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return value["id"]
    return None


@dataclass
class Seeds:
    """Records created per (service, collection) and branch, and who created them."""

    ids: dict[tuple[str, str, int], str] = field(default_factory=dict)
    creators: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def of(self, service: str, collection: str, branch: int) -> str | None:
        return self.ids.get((service, collection, branch))

    def by_name(self, service: str, branch: int) -> dict[str, str]:
        """Seeds by the singular name of their collection (`demand` -> id), for `<name>_id` fields."""
        out = {}
        for (svc, collection, number), value in self.ids.items():
            if svc == service and number == branch:
                out[collection.rsplit("/", 1)[-1].rstrip("s")] = value
        return out

    def out_of_scope(self, service: str, branch_numbers: set[int]) -> set[str]:
        return {v for (svc, _, number), v in self.ids.items() if svc == service and number in branch_numbers}


def path_for(op: Operation, branch: Branch, seeds: Seeds) -> str:
    path = op.path
    for i, name in enumerate(op.path_params):
        if name == "code":
            value = branch.g
        elif name == "fmt":
            value = "json"
        elif i == 0:
            value = seeds.of(op.service, op.collection, branch.number) or str(uuid.uuid4())
        else:
            value = str(uuid.uuid4())
        path = path.replace("{" + name + "}", value, 1)
    return path


AREA_QUERY = {"under": "s", "parent_code": "c", "area_code": "g", "handling_area_code": "c", "community_code": "c"}


def query_for(op: Operation, branch: Branch) -> dict[str, str]:
    """Area filters of a list pointed at the target branch (a filter must never widen the scope)."""
    query = {}
    for param in op.params:
        if param.get("in") == "query" and param["name"] in AREA_QUERY:
            query[param["name"]] = getattr(branch, AREA_QUERY[param["name"]])
    return query
