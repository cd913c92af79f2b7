"""The request parameters every router of this service shares: paging, the request's instant, query times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from yizhou.dependencies import ClockDep
from yizhou.problems import Problem

Cursor = Annotated[str | None, Query(max_length=64, description="Cursor from `next_cursor`")]
Limit = Annotated[int, Query(ge=1, le=500)]


async def current_time(clock: ClockDep) -> datetime:
    """The instant of the request, from the app's clock (`yizhou.dependencies.ClockDep`)."""
    return clock.now()


NowDep = Annotated[datetime, Depends(current_time)]


def aware(value: datetime | None, field: str) -> datetime | None:
    """Query times must carry an offset: a naive time is ambiguous across the platform's time zones."""
    if value is not None and value.tzinfo is None:
        raise Problem("validation", f"`{field}` needs a UTC offset, e.g. 2026-03-01T00:00:00+08:00.",
                      errors=[{"field": field, "location": "query", "message": "naive datetime", "code": "timezone_aware"}])
    return value
