"""What the routers share: problem documentation and path parameters."""

from typing import Annotated

from fastapi import Path, Query

from yizhou.axis_events import CODE_PATTERN

PROBLEMS = {401: {"description": "No or bad token (problem+json)"},
            403: {"description": "Role forbids it, or the caller's area is not on this service's axis"},
            404: {"description": "Unknown, or outside your area"},
            409: {"description": "Illegal step (names current and allowed states), over budget, not ready, conflict"},
            422: {"description": "Invalid body, unknown reference or broken rule"}}

Id = Annotated[str, Path(max_length=64)]
AreaQuery = Annotated[str | None, Query(pattern=CODE_PATTERN, description="Only this area's subtree")]
After = Annotated[str | None, Query(max_length=64, description="Cursor from `next_cursor`")]
Limit = Annotated[int, Query(ge=1, le=1000)]
