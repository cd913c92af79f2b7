"""Who may write the registry and what a caller may see: the editors' roles, areas inside the caller's
scope, unknown references, new ids, and the domain's refusals (and bad cursors) as problems."""

from __future__ import annotations

import uuid

from org_registry.domain.errors import RegistryRuleViolation
from org_registry.store.areas import AreaRepository
from org_registry.store.keyset import BadCursor
from org_registry.use_cases.errors import CursorNotValid
from yizhou.auth import AreaScope, Role, require_role
from yizhou.errors import ApplicationError, AreaRetired, UnknownReference, from_rule

SOURCE = "/yizhou/org-registry"

# Staff of the axis keep the registry; members, residents and partners only read it.
REGISTRY_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})



def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def rule_problem(exc: RegistryRuleViolation, field: str | None = None) -> ApplicationError:
    extensions = {"errors": [{"field": field, "message": str(exc)}]} if field else {}
    return from_rule(exc, **extensions)


def bad_cursor(exc: BadCursor) -> ApplicationError:
    return CursorNotValid(str(exc))


def require_editor(scope: AreaScope) -> None:
    require_role(scope, REGISTRY_EDITORS, "change the registry")


def unknown(field: str, what: str, value: str) -> ApplicationError:
    return UnknownReference(f"No {what} '{value}' in your scope.",
                   errors=[{"field": field, "message": f"unknown {what}"}])


async def area_path_in_scope(areas: AreaRepository, scope: AreaScope, code: str, field: str = "area_code") -> str:
    """The path of an active area inside the caller's subtree, or a 422 naming the field."""
    area = await areas.get(code)
    if area is None or not scope.covers(area.path):
        raise unknown(field, "area", code)
    if area.retired:
        raise AreaRetired(f"Area '{code}' is retired and takes no new records.",
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
