"""Where a record belongs on the axis: district > subdistrict > community > grid.

Registrations, posts, claims and services belong to a community (the third level); a unit or a
member's residence may be given at the community or at one of its grids.
"""

from __future__ import annotations

from dataclasses import dataclass

from dual_registration.domain.errors import NotInCommunity

COMMUNITY_DEPTH = 3


@dataclass(frozen=True)
class Community:
    code: str
    path: str


def community_of(area_path: str) -> Community:
    codes = [c for c in area_path.strip("/").split("/") if c]
    if len(codes) < COMMUNITY_DEPTH:
        raise NotInCommunity(f"Area path '{area_path}' is above the community level; registrations belong to a community.")
    return Community(code=codes[COMMUNITY_DEPTH - 1], path="/" + "/".join(codes[:COMMUNITY_DEPTH]) + "/")


def community_or_none(area_path: str | None) -> Community | None:
    if not area_path:
        return None
    try:
        return community_of(area_path)
    except NotInCommunity:
        return None


def on_same_branch(a_path: str, b_path: str) -> bool:
    """A subdistrict project serves its communities; a grid demand lies in its community."""
    return a_path.startswith(b_path) or b_path.startswith(a_path)
