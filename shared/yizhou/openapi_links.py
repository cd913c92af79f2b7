"""OpenAPI links from each create operation to the operations on what it created.

`POST /api/v1/demands` answers 201 with the new demand; `GET /api/v1/demands/{demand_id}` and every
`/api/v1/demands/{demand_id}/...` operation take its id. The links say so in the document (a client
generator or a reader sees which id goes where) and let schemathesis's stateful phase chain real
calls (create, then act on what was created) instead of guessing ids.
"""

from __future__ import annotations

from typing import Any

_METHODS = ("get", "put", "patch", "post", "delete")


def _component(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _created_key(spec: dict[str, Any], schema: dict[str, Any], param: str) -> str | None:
    """Where in the 201 body the created record's key is, as a JSON pointer: `/id` (or `/code` for a
    `{code}` parameter), or one level down (`/demand/id`) when the answer wraps the record."""
    body = _component(spec, schema)
    properties = body.get("properties", {})
    for key in ("code", "id") if param == "code" else ("id", param):
        if key in properties:
            return f"/{key}"
    for name, inner in properties.items():
        if "id" in _component(spec, inner).get("properties", {}):
            return f"/{name}/id"
    return None


def add_links(spec: dict[str, Any]) -> dict[str, Any]:
    paths = spec.get("paths", {})
    for path, operations in paths.items():
        create = operations.get("post")
        created = (create or {}).get("responses", {}).get("201")
        schema = (created or {}).get("content", {}).get("application/json", {}).get("schema")
        if not schema:
            continue
        links: dict[str, Any] = {}
        for target, target_operations in paths.items():
            if not target.startswith(path + "/{"):
                continue
            param = target[len(path) + 2:].split("}", 1)[0]
            pointer = _created_key(spec, schema, param)
            if pointer is None:
                continue
            for method in _METHODS:
                operation = target_operations.get(method)
                if operation is None or "operationId" not in operation:
                    continue
                parameters = {param: f"$response.body#{pointer}"}
                others = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path" and p["name"] != param]
                if any("{" + name + "}" not in path for name in others):
                    continue   # needs the id of something else the create did not make (a dispatch, a booking)
                parameters.update({name: f"$request.path.{name}" for name in others})   # the create's own
                links[operation["operationId"]] = {"operationId": operation["operationId"], "parameters": parameters}
        if links:
            created.setdefault("links", {}).update(links)
    return spec
