"""demand-intake's demand events on `yizhou.demands.v1` (key: the demand id).

Every event carries the cross-team fields `demand_id`, `area_code`, `area_path`, `category`,
`state` (after the change) and `occurred_at`. No resident personal data: no name, phone, address,
free-text description or exact point leaves the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

DEMANDS_TOPIC = topic_name("demands")

DemandState = Literal["submitted", "accepted", "assigned", "in_progress", "resolved", "closed", "rejected",
                      "withdrawn", "reopened", "merged"]
PriorityHousehold = Literal["elderly_alone", "disabled", "low_income", "other"]
FeedbackValue = Literal["satisfied", "basically_satisfied", "dissatisfied"]
# Who gave a callback's answers: the resident through their own account, the resident on the phone to staff
# (both what the resident said), or staff entering them without the resident (not the resident's word).
CallbackSource = Literal["resident", "callback_by_staff", "staff_entry"]


class DemandEvent(EventData):
    """The fields every demand event has (not published itself)."""

    topic: ClassVar[str] = DEMANDS_TOPIC

    demand_id: str
    area_code: str = Field(description="The area the demand is in (usually a grid)")
    area_path: str = Field(description="Materialized path of that area, e.g. /CY/CY01/CY01001/CY0100101/")
    category: str = Field(description="Service category code")
    state: DemandState = Field(description="The demand's state after this change")
    occurred_at: datetime


class DemandSubmitted(DemandEvent):
    event_type: ClassVar[str] = "demand.submitted"

    channel: Literal["walk_around", "must_visit", "online", "hotline", "reception_room", "hearing_board",
                     "deliberation_meeting"]
    urgency: Literal["emergency", "urgent", "normal"]
    priority_household: PriorityHousehold | None = None
    anonymous: bool = False
    entered_on_behalf: bool = Field(description="Entered by staff or a member for a resident")
    imported: bool = Field(default=False, description="Brought in by an import of earlier records (its history "
                                                      "was entered, not lived here): left out of the rates")
    respond_due_at: datetime
    resolve_due_at: datetime


class DemandAccepted(DemandEvent):
    event_type: ClassVar[str] = "demand.accepted"

    accountable_area_code: str = Field(description="The first receiver's area: accountable to the end")
    complex: bool = False
    resolve_due_at: datetime | None = None


class DemandAssigned(DemandEvent):
    event_type: ClassVar[str] = "demand.assigned"

    assignee: str = Field(description="The unit, department or team that handles it")
    assignee_unit_id: str | None = Field(default=None, description="The unit's id in org-registry, when the "
                                                                   "assignee is a registered unit")


class DemandStarted(DemandEvent):
    event_type: ClassVar[str] = "demand.started"

    project_id: str | None = Field(default=None, description="Set when an approved project took it up")


class DemandEscalated(DemandEvent):
    event_type: ClassVar[str] = "demand.escalated"

    from_area_code: str
    to_area_code: str
    to_level: Literal["community", "subdistrict", "district"]
    reason: str
    accountable_area_code: str | None = None


class DemandDispatched(DemandEvent):
    """The subdistrict blew the whistle: each receiver must report in by its deadline."""

    event_type: ClassVar[str] = "demand.dispatched"

    dispatch_ids: list[str]
    receivers: list[str] = Field(description="Units or departments named by the whistle")
    report_in_due_at: datetime
    accountable_area_code: str | None = None


class DemandReportedIn(DemandEvent):
    event_type: ClassVar[str] = "demand.reported_in"

    dispatch_id: str
    receiver: str
    on_time: bool


class DemandOverdue(DemandEvent):
    """Emitted exactly once per breached deadline."""

    event_type: ClassVar[str] = "demand.overdue"

    deadline: Literal["respond", "resolve", "report_in"]
    due_at: datetime
    dispatch_id: str | None = None
    accountable_area_code: str | None = None


class DemandResolved(DemandEvent):
    event_type: ClassVar[str] = "demand.resolved"

    resolved_by: Literal["staff", "meeting", "project"] = "staff"
    source_id: str | None = Field(default=None, description="The meeting or project that resolved it")


class DemandClosed(DemandEvent):
    event_type: ClassVar[str] = "demand.closed"

    feedback: FeedbackValue | None
    contact_attempted: bool
    feedback_by: Literal["resident", "staff"] | None = Field(
        default=None, description="Who recorded the feedback: the resident's own account, or staff on their behalf")


class DemandReopened(DemandEvent):
    event_type: ClassVar[str] = "demand.reopened"

    feedback: FeedbackValue | None = None
    feedback_by: Literal["resident", "staff"] | None = Field(
        default=None, description="Who recorded the feedback: the resident's own account, or staff on their behalf")


class DemandCalledBack(DemandEvent):
    """A callback (回访) on a handled demand: was it resolved, is the resident satisfied. It does not move
    the demand (`state` is its state then); the resolution and satisfaction rates count the answers the
    resident gave (`source` `resident` or `callback_by_staff`), never `staff_entry`."""

    event_type: ClassVar[str] = "demand.called_back"

    callback_id: str
    resolved: bool = Field(description="The resident's answer: was the demand resolved?")
    satisfaction: FeedbackValue = Field(description="The resident's answer: how satisfied they are")
    source: CallbackSource = Field(description="Who gave the answers: `resident` (their own account), "
                                               "`callback_by_staff` (staff called them), `staff_entry` (staff's word)")
    called_at: datetime = Field(description="When the resident answered (the call, or their own callback)")


class DemandMerged(DemandEvent):
    event_type: ClassVar[str] = "demand.merged"

    merged_into_demand_id: str


class DemandWithdrawn(DemandEvent):
    event_type: ClassVar[str] = "demand.withdrawn"


class DemandRejected(DemandEvent):
    event_type: ClassVar[str] = "demand.rejected"


class DemandSupported(DemandEvent):
    """A resident added "me too" to an open demand (counted, not duplicated)."""

    event_type: ClassVar[str] = "demand.supported"

    me_too_count: int


# --- hotline work orders (12345 工单), on the demand carrying them (additive: the demand fields plus these) --

class WorkOrderEvent(DemandEvent):
    """A step of a hotline work order, keyed and fielded by the demand carrying it (`state`: the demand's).
    No reasons or notes: free text stays in the service."""

    work_order_id: str
    external_id: str = Field(description="The hotline's own number of the order")


class WorkOrderReceived(WorkOrderEvent):
    """The hotline sent an order to an area; its demand (channel `hotline`) was submitted with it."""

    event_type: ClassVar[str] = "work_order.received"

    received_at: datetime = Field(description="When the hotline took the call")
    due_at: datetime = Field(description="The hotline's deadline: the demand's resolution deadline")


class WorkOrderReturned(WorkOrderEvent):
    """The area returned the order as not theirs (退单): the district decides."""

    event_type: ClassVar[str] = "work_order.returned"


class WorkOrderReassigned(WorkOrderEvent):
    """The district accepted the return: this demand is withdrawn and the order goes on in another area."""

    event_type: ClassVar[str] = "work_order.reassigned"

    to_area_code: str
    new_demand_id: str = Field(description="The demand carrying the order in the new area")


class WorkOrderReturnRefused(WorkOrderEvent):
    """The district refused the return: the area keeps the order."""

    event_type: ClassVar[str] = "work_order.return_refused"


class WorkOrderAppealed(WorkOrderEvent):
    """The area contests the assessment of the closed order (申诉)."""

    event_type: ClassVar[str] = "work_order.appealed"


class WorkOrderReduced(WorkOrderEvent):
    """The district granted the appeal (核减): the demand is left out of every rate from now on."""

    event_type: ClassVar[str] = "work_order.reduced"


class WorkOrderUpheld(WorkOrderEvent):
    """The district refused the appeal: the assessment stands."""

    event_type: ClassVar[str] = "work_order.upheld"


WORK_ORDER_EVENTS: list[type[WorkOrderEvent]] = [
    WorkOrderReceived, WorkOrderReturned, WorkOrderReassigned, WorkOrderReturnRefused, WorkOrderAppealed,
    WorkOrderReduced, WorkOrderUpheld,
]

DEMAND_EVENTS: list[type[DemandEvent]] = [
    DemandSubmitted, DemandAccepted, DemandAssigned, DemandStarted, DemandEscalated, DemandDispatched,
    DemandReportedIn, DemandOverdue, DemandResolved, DemandClosed, DemandReopened, DemandMerged, DemandWithdrawn,
    DemandRejected, DemandSupported, DemandCalledBack, *WORK_ORDER_EVENTS,
]
EVENT_BY_TYPE: dict[str, type[DemandEvent]] = {e.event_type: e for e in DEMAND_EVENTS}
