"""Keyset pagination with an opaque cursor, stable under inserts.

The cursor a client sees is the last item's sort key, base64url-encoded without padding: it survives
any URL encoding (a raw `timestamp|uuid` lost its `+` to an un-encoded query string) and tells a client
nothing it should build on. `page_of` encodes; `yizhou.list_parameters.After` decodes, so a route and
its store only ever see the key they produced.
"""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Opaque: pass as `after` to get the next page; null on the last page")


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key `encode_cursor` wrapped; ValueError for anything this API did not hand out."""
    if not cursor or any(c not in _ALPHABET for c in cursor):
        raise ValueError("not a cursor this API handed out")
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor this API handed out") from None


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def page_of(items: list[T], limit: int, key_of) -> Page[T]:
    """`items` was fetched with limit+1 rows so we know whether another page follows; `key_of(item)` is the
    sort key (a string) the route's `after` filter takes back."""
    more = len(items) > limit
    items = items[:limit]
    return Page[T](items=items, next_cursor=encode_cursor(str(key_of(items[-1]))) if more and items else None)
