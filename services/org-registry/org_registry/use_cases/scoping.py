"""What every registry use case needs: who may write, what a caller may see, rule refusals as problems."""

from __future__ import annotations

import uuid

from org_registry.domain.rules import RegistryRuleViolation
from org_registry.store.areas import AreaRepository
from org_registry.store.keyset import BadCursor
from yizhou.auth import AreaScope, Role
from yizhou.problems import Problem, register_problem

SOURCE = "/yizhou/org-registry"

# Staff of the axis keep the registry; members, residents and partners only read it.
REGISTRY_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})

for _slug, _status, _title in [
    ("organization-dissolved", 409, "The party organization is dissolved"),
    ("joint-needs-two-units", 422, "A joint organization covers at least two units"),
    ("organization-cycle", 422, "An organization cannot report to its own subtree"),
    ("has-active-child-organizations", 409, "The organization still has active subordinate organizations"),
    ("unit-already-covered", 409, "The unit already has a basic party organization"),
    ("member-left", 409, "The member has left; the record is closed"),
    ("invalid-personal-data", 422, "A personal-data field is not valid"),
    ("bad-cursor", 400, "The pagination cursor is not valid"),
]:
    register_problem(_slug, _status, _title)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def rule_problem(exc: RegistryRuleViolation, field: str | None = None) -> Problem:
    extensions = {"errors": [{"field": field, "message": str(exc)}]} if field else {}
    return Problem(exc.kind, str(exc), **extensions)


def bad_cursor(exc: BadCursor) -> Problem:
    return Problem("bad-cursor", str(exc))


def require_editor(scope: AreaScope) -> None:
    if scope.caller.role not in REGISTRY_EDITORS:
        raise Problem("forbidden", f"Role '{scope.caller.role}' may not change the registry; "
                                   f"allowed: {sorted(r.value for r in REGISTRY_EDITORS)}.")


def unknown(field: str, what: str, value: str) -> Problem:
    return Problem("unknown-reference", f"No {what} '{value}' in your scope.",
                   errors=[{"field": field, "message": f"unknown {what}"}])


async def area_path_in_scope(areas: AreaRepository, scope: AreaScope, code: str, field: str = "area_code") -> str:
    """The path of an active area inside the caller's subtree, or a 422 naming the field."""
    area = await areas.get(code)
    if area is None or not scope.covers(area.path):
        raise unknown(field, "area", code)
    if area.retired:
        raise Problem("area-retired", f"Area '{code}' is retired and takes no new records.",
                      errors=[{"field": field, "message": "retired area"}])
    return area.path


async def area_path_anywhere(areas: AreaRepository, scope: AreaScope, code: str, field: str) -> str:
    """A member may live outside the caller's area, but within the caller's district."""
    area = await areas.get(code)
    district = scope.path.split("/")[1] if scope.path.count("/") > 1 else ""
    if area is None or not area.path.startswith(f"/{district}/") or area.retired:
        raise unknown(field, "area", code)
    return area.path


def visible_or_above(scope: AreaScope, path: str) -> bool:
    """A record in the caller's subtree, or on the line above it (an organization reports upwards)."""
    return scope.covers(path) or scope.path.startswith(path)
