"""Repeatable query parameters (`?state=a&state=b`): capped and de-duplicated.

A list parameter without a cap let a client repeat a value thousands of times, and each value cost a
query or a clause. `QueryList[T]` takes at most `MAX_QUERY_LIST_ITEMS` values (more is 422 `validation`
naming the limit, before anything is looked up; the OpenAPI document says `maxItems`) and keeps each
value once, in the order first given:

    state: Annotated[QueryList[State] | None, Query(description="Repeat for several")] = None

Parameters a router parses by hand (Open311's comma-separated lists) use `unique_values` and the
same cap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from annotated_types import Len
from pydantic import AfterValidator

MAX_QUERY_LIST_ITEMS = 50

T = TypeVar("T")


def unique_values(values: Iterable[T]) -> list[T]:
    """Each value once, in the order first given."""
    return list(dict.fromkeys(values))


QueryList = Annotated[list[T], Len(0, MAX_QUERY_LIST_ITEMS), AfterValidator(unique_values)]
