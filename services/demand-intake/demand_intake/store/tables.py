"""demand-intake's own tables (ORM) and its read model of the demand events (`demand_facts`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from yizhou.columns import UtcDateTime, area_path_type
from yizhou.messaging_tables import BigId


class Base(DeclarativeBase):
    pass


class DemandRow(Base):
    __tablename__ = "demands"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64), index=True)
    urgency: Mapped[str] = mapped_column(String(16))
    complex: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text)
    area_code: Mapped[str] = mapped_column(String(32), index=True)
    area_path: Mapped[str] = mapped_column(area_path_type(), index=True)
    area_level: Mapped[str] = mapped_column(String(16))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    resident_name: Mapped[str | None] = mapped_column(String(100))
    resident_phone: Mapped[str | None] = mapped_column(String(32))
    resident_subject: Mapped[str | None] = mapped_column(String(200), index=True)
    priority_household: Mapped[str | None] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_by_role: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    handling_area_code: Mapped[str] = mapped_column(String(32))
    handling_level: Mapped[str] = mapped_column(String(16))
    accountable_area_code: Mapped[str | None] = mapped_column(String(32))
    first_receiver: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(200))
    assignee_unit_id: Mapped[str | None] = mapped_column(String(64))
    me_too_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into: Mapped[str | None] = mapped_column(String(36))
    feedback: Mapped[str | None] = mapped_column(String(24))
    contact_attempted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DemandHistoryRow(Base):
    """Every change of a demand, who made it and why: the demand's own audit trail."""

    __tablename__ = "demand_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class DeadlineRow(Base):
    __tablename__ = "demand_deadlines"
    __table_args__ = (UniqueConstraint("demand_id", "kind", "dispatch_id"),
                      Index("ix_deadlines_due", "breached_at", "due_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    dispatch_id: Mapped[str] = mapped_column(String(36), default="")
    budget_s: Mapped[int] = mapped_column(Integer)
    consumed_s: Mapped[int] = mapped_column(Integer, default=0)
    running_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DispatchRow(Base):
    __tablename__ = "demand_dispatches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), index=True)
    receiver: Mapped[str] = mapped_column(String(200))
    receiver_kind: Mapped[str] = mapped_column(String(16))
    # The registered unit dispatched to (org-registry's id): the one identity that may report in itself.
    receiver_unit_id: Mapped[str | None] = mapped_column(String(64))
    dispatched_by: Mapped[str] = mapped_column(String(200))
    dispatched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    report_in_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    report_note: Mapped[str | None] = mapped_column(Text)


class MeTooRow(Base):
    __tablename__ = "demand_me_too"

    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(32))
    area_path: Mapped[str] = mapped_column(area_path_type(), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    minutes: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[list] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AgendaItemRow(Base):
    __tablename__ = "meeting_agenda"

    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DemandFactRow(Base):
    """The read model of the rates: one row per demand, fed ONLY by `yizhou.demands.v1` events, so
    `demand-intake rates rebuild` can clear it and replay the topic to the same numbers."""

    __tablename__ = "demand_facts"
    __table_args__ = (Index("ix_facts_path_submitted", "area_path", "submitted_at"),)

    demand_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(32))
    area_path: Mapped[str] = mapped_column(area_path_type())   # byte order: a subtree is an index range
    category: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[str | None] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(200))
    assignee_unit_id: Mapped[str | None] = mapped_column(String(64))
    accountable_area_code: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    respond_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    resolve_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feedback: Mapped[str | None] = mapped_column(String(24))
    feedback_by: Mapped[str | None] = mapped_column(String(16))   # resident | staff
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    me_too_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    said_resolved: Mapped[bool | None] = mapped_column(Boolean)          # the resident's own latest answers
    said_satisfaction: Mapped[str | None] = mapped_column(String(24))
    said_by: Mapped[str | None] = mapped_column(String(24))              # resident | callback_by_staff
    reduced: Mapped[bool] = mapped_column(Boolean, default=False)         # a hotline order's verified reduction (核减)


class RateCellRow(Base):
    """The rates read model rolled up: per community subtree (`rollup_path`), month of submission and
    category, the sums of what its demands contribute now (`domain.rates.contribution`). Kept in step
    with `demand_facts` by the same handler (each event adds its demand's change), so the rates of a
    district, subdistrict or community over a year read a few thousand rows, not every demand."""

    __tablename__ = "demand_rate_cells"

    area_path: Mapped[str] = mapped_column(area_path_type(), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)   # yyyymm, UTC
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    response_settled: Mapped[int] = mapped_column(Integer, default=0)
    responded_on_time: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    with_feedback: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    backlog: Mapped[int] = mapped_column(Integer, default=0)
    overdue_open: Mapped[int] = mapped_column(Integer, default=0)
    with_resident_feedback: Mapped[int] = mapped_column(Integer, default=0)
    satisfied_by_resident: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    with_resident_answer: Mapped[int] = mapped_column(Integer, default=0)
    resolved_by_resident: Mapped[int] = mapped_column(Integer, default=0)


class CallbackRow(Base):
    """Callbacks (回访) on demands: the resident's answers and who gave and recorded them (kept whatever
    their source; the rates count only what the resident said)."""

    __tablename__ = "demand_callbacks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), index=True)
    resolved: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(24))   # resident | callback_by_staff | staff_entry
    called_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_role: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnitCopyRow(Base):
    """org-registry's units as this service knows them (from `unit.created` / `unit.updated`): the units
    a demand can be assigned to by id, so a unit's rates count its demands whatever name it is given."""

    __tablename__ = "unit_copy"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)   # org-registry's ids: at most 64
    name: Mapped[str] = mapped_column(String(200))   # a workplace's registered name, not personal data
    kind: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WorkOrderRow(Base):
    """Hotline work orders (12345 工单): the hotline's number (unique), the demand carrying the order now,
    and where the order stands in returns and appeals."""

    __tablename__ = "work_orders"
    __table_args__ = (UniqueConstraint("external_id", name="uq_work_orders_external_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64))
    demand_id: Mapped[str] = mapped_column(ForeignKey("demands.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    hotline_category: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
