"""The request parameters the routers share (the guarantee network's too): path ids and list parameters."""

from typing import Annotated

from fastapi import Path, Query

from yizhou.axis_events import CODE_PATTERN

Id = Annotated[str, Path(max_length=64)]
AreaQuery = Annotated[str | None, Query(pattern=CODE_PATTERN, description="Only this area's subtree")]
After = Annotated[str | None, Query(max_length=64, description="Cursor from `next_cursor`")]
Limit = Annotated[int, Query(ge=1, le=1000)]
