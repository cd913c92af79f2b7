"""Keyset pagination with an opaque-enough cursor (the last sort key), stable under inserts."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `after` to get the next page; null on the last page")


def page_of(items: list[T], limit: int, cursor_of) -> Page[T]:
    """`items` was fetched with limit+1 rows so we know whether another page follows."""
    more = len(items) > limit
    items = items[:limit]
    return Page[T](items=items, next_cursor=cursor_of(items[-1]) if more and items else None)
