"""The list vocabulary every service speaks (docs/api.md, "One vocabulary").

- `under`: the subtree of an area (inside the caller's scope); `area_code`: exactly that area.
- `from` / `to`: a half-open time range `[from, to)` on the list's own time (submitted, scheduled, ...).
- `sort`: one of the fields a list names, `-` first for descending.
- `q`: text search, where a list has text.
- `after` / `limit`: keyset paging; `after` is the opaque `next_cursor` of the previous page.

A parameter a route does not declare is refused (400 `unknown-parameter`, `reject_unknown_parameters`):
a misspelt filter that is silently ignored returns everything, which a client cannot tell from an answer.
"""

from __future__ import annotations

from typing import Annotated

from datetime import datetime

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from yizhou.axis_events import CODE_PATTERN
from yizhou.pagination import decode_cursor
from yizhou.problems import Problem


def _decoded(cursor: str | None) -> str | None:
    # A Problem, not a ValueError: pydantic passes it through, so a forged cursor is 400 `bad-cursor`
    # (the kind a client handles), not a generic 422 about a field.
    if cursor is None:
        return None
    try:
        if len(cursor) > 2048:
            raise ValueError("too long")
        return decode_cursor(cursor)
    except ValueError:
        raise Problem("bad-cursor", "`after` must be a `next_cursor` this API handed out, unchanged") from None


def _decoded_number(cursor: str | None) -> int | None:
    key = _decoded(cursor)
    if key is not None and not (key.isascii() and key.isdigit() and len(key) <= 19):
        raise Problem("bad-cursor", "`after` must be a `next_cursor` this API handed out, unchanged")
    return None if key is None else int(key)


After = Annotated[str | None, Query(max_length=2048, description="Opaque cursor: the previous page's `next_cursor`"),
                  AfterValidator(_decoded)]
# A list keyed by a sequence number (deliveries, ledger movements): the same opaque cursor, a number inside.
NumberAfter = Annotated[int | None, Query(ge=0, le=2**63 - 1,
                                          description="Opaque cursor: the previous page's `next_cursor`"),
                        BeforeValidator(_decoded_number)]
Under = Annotated[str | None, Query(pattern=CODE_PATTERN, description="Only this area's subtree (inside yours)")]
AreaCode = Annotated[str | None, Query(pattern=CODE_PATTERN, description="Exactly this area (not its subtree)")]
# The same two, for routes whose code calls the value by another name (`area_code` for a subtree, a community's code).
SubtreeCode = Annotated[str | None, Query(alias="under", pattern=CODE_PATTERN,
                                          description="Only this area's subtree (inside yours)")]
ExactAreaCode = Annotated[str | None, Query(alias="area_code", pattern=CODE_PATTERN,
                                            description="Exactly this area (not its subtree)")]
Search = Annotated[str | None, Query(min_length=1, max_length=100, description="Search text")]


def _plausible(value: datetime | None) -> datetime | None:
    # Far dates overflow when shifted to UTC or Beijing time (a 500 on year 1 at +14:00); no list reaches there.
    if value is not None and not 1900 <= value.year <= 2200:
        raise ValueError("must be between the years 1900 and 2200")
    return value


From = Annotated[AwareDatetime | None, Query(alias="from", description="From this instant, inclusive (with a UTC offset)"),
                 AfterValidator(_plausible)]
To = Annotated[AwareDatetime | None, Query(alias="to", description="Up to this instant, exclusive (with a UTC offset)"),
               AfterValidator(_plausible)]


def sort_parameter(*fields: str, default: str) -> object:
    """`sort` over the given fields (`-field` descending): the type of the parameter, documented as an enum."""
    choices = [c for f in fields for c in (f, f"-{f}")]
    return Annotated[str, Query(pattern="^(" + "|".join(choices) + ")$",
                                description=f"Order: one of {', '.join(choices)} (`-` descending); default {default}")]


# What a route accepts besides its declared parameters: nothing, but for facades whose standard lets a client
# add its own (Open311 GeoReport v2's `api_key`, `jurisdiction_id` and extensions).
OPEN_QUERY = "x-open-query-parameters"
_declared: dict[int, frozenset[str] | None] = {}


def _declared_names(route: APIRoute) -> frozenset[str] | None:
    key = id(route)
    if key not in _declared:
        if (route.openapi_extra or {}).get(OPEN_QUERY):
            _declared[key] = None
        else:
            _declared[key] = frozenset(_query_names(route.dependant))
    return _declared[key]


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters of a route and of everything it depends on (pagination, scope, ...)."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_parameters(request: Request) -> None:
    """An app-wide dependency: 400 naming every query parameter the route does not take."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    declared = _declared_names(route)
    if declared is None:
        return
    unknown = sorted({k for k in request.query_params.keys() if k not in declared})
    if unknown:
        raise Problem("unknown-parameter",
                      f"This operation takes no query parameter {', '.join(repr(u) for u in unknown)}"
                      + (f"; it takes {', '.join(sorted(declared))}." if declared else "; it takes none."),
                      errors=[{"field": u, "location": "query", "message": "unknown parameter", "code": "unknown"}
                              for u in unknown])
