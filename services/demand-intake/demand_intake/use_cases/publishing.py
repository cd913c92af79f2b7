"""Recording demand events: the unit of work (or a consumer's session) they are recorded on, the event
each state publishes, and the fields every demand event carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.demand import Demand, State
from yizhou.contracts.demands import (
    DemandAccepted, DemandAssigned, DemandClosed, DemandEvent, DemandMerged, DemandRejected, DemandReopened,
    DemandResolved, DemandStarted, DemandWithdrawn,
)
from yizhou.events import EventData

SOURCE = "/yizhou/demand-intake"


class Work(Protocol):
    """A unit of work (`yizhou.database.UnitOfWork`) or a consumer's session (`SessionWork`)."""

    session: AsyncSession

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None: ...


# The event a move into each state publishes.
EVENT_OF_STATE: dict[State, type[DemandEvent]] = {
    State.ACCEPTED: DemandAccepted, State.ASSIGNED: DemandAssigned, State.IN_PROGRESS: DemandStarted,
    State.RESOLVED: DemandResolved, State.CLOSED: DemandClosed, State.REJECTED: DemandRejected,
    State.WITHDRAWN: DemandWithdrawn, State.REOPENED: DemandReopened, State.MERGED: DemandMerged,
}


def record_demand(work: Work, event: type[DemandEvent], demand: Demand, now: datetime, *, state: State | None = None,
                  **extra: Any) -> None:
    """Records `event` of `demand`: the fields every demand event carries from the demand, `extra` the
    event's own (checked by its contract's model when it is built)."""
    data = event(demand_id=demand.id, area_code=demand.area_code, area_path=demand.area_path, category=demand.category,
                 state=(state or demand.state).value, occurred_at=now, **extra)
    work.record(data, aggregate_id=demand.id, source=SOURCE)
