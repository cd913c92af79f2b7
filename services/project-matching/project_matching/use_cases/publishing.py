"""Recording events on a unit of work, or on a consumer's session (`yizhou.database.SessionWork`), with
this service's source."""

from __future__ import annotations

from typing import Protocol

from project_matching.events import SOURCE
from yizhou.events import EventData


class Work(Protocol):
    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None: ...


def record(work: Work, event: EventData, aggregate_id: str) -> None:
    work.record(event, aggregate_id=aggregate_id, source=SOURCE)
