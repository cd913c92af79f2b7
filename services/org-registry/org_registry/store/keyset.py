"""Keyset pagination over a composite sort key: the cursor is the last row's key as a JSON list (the API wraps
it in the platform's opaque cursor, `yizhou.pagination`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import tuple_
from sqlalchemy.sql import ColumnElement


class BadCursor(ValueError):
    pass


def encode_cursor(*values: Any) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(cursor)
    except ValueError:
        raise BadCursor("The cursor is not one this service issued.") from None
    if not isinstance(values, list) or len(values) != size or not all(isinstance(v, str) for v in values):
        raise BadCursor("The cursor is not one this service issued.")
    return values


def after(columns: list[ColumnElement], cursor: str | None, descending: bool = False) -> ColumnElement | None:
    """`(c1, c2) > (v1, v2)`: rows strictly after the cursor in the sort order (portable row comparison)."""
    if cursor is None:
        return None
    key, last = tuple_(*columns), tuple_(*decode_cursor(cursor, len(columns)))
    return key < last if descending else key > last
