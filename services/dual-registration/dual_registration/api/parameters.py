"""The request parameters every router of this service shares: paging, the request's instant, query times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from yizhou.dependencies import ClockDep
from yizhou.list_parameters import After  # noqa: F401  (the vocabulary, re-exported)

Limit = Annotated[int, Query(ge=1, le=500)]


async def current_time(clock: ClockDep) -> datetime:
    """The instant of the request, from the app's clock (`yizhou.dependencies.ClockDep`)."""
    return clock.now()


NowDep = Annotated[datetime, Depends(current_time)]


