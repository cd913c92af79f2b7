"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, DateTime, String, and_
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator):
    """Always timezone-aware UTC in Python; SQLite would otherwise hand back naive datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def area_path_type(length: int = 400) -> TypeEngine:
    """An area path (`/CY/CY03/CY0301/`) compared byte by byte: PostgreSQL's usual collations skip the
    '/' when sorting, so there the column is in the "C" collation (SQLite compares bytes already).
    In byte order a subtree is one key range, which an index serves (`in_subtree`)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def in_subtree(column: ColumnElement, path: str) -> ColumnElement[bool]:
    """`column` lies in the subtree rooted at `path` (which ends with '/'): every path below starts with
    `path`, so it sorts from `path` up to `path` with its final '/' raised by one ('0')."""
    if not path.endswith("/"):
        raise ValueError(f"area path {path!r} does not end with '/'")
    return and_(column >= path, column < path[:-1] + chr(ord("/") + 1))
