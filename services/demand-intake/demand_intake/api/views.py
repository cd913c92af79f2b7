"""Domain objects as API bodies, with personal data masked for callers who may not see it."""

from __future__ import annotations

from datetime import datetime

from demand_intake.api.schemas import (
    DeadlineOut, DemandDetailOut, DemandListItemOut, DemandOut, DispatchOut, DuplicateOut, HistoryOut, MeetingOut, PlaceOut, ResidentOut,
    SimilarDemandOut,
)
from demand_intake.domain.deadlines import DeadlineClock
from demand_intake.domain.demand import DEMAND_MACHINE, Demand
from demand_intake.domain.meeting import Meeting
from yizhou.auth import AreaScope
from demand_intake.use_cases.access import scrub
from demand_intake.use_cases.demands import Offered, Standing
from yizhou.personal_data import mask_address, mask_coordinate, mask_name, mask_phone, sees_personal_data
from yizhou.problems import Problem


def demand_out(demand: Demand, scope: AreaScope, cls=DemandOut, **extra) -> DemandOut:
    sees = sees_personal_data(scope, demand.area_path, owner_subject=demand.resident_subject)
    r = demand.resident
    # Without the right to see personal data, the point is coarsened to about 1 km.
    lat = demand.latitude if sees else mask_coordinate(demand.latitude)
    lon = demand.longitude if sees else mask_coordinate(demand.longitude)
    return cls(
        id=demand.id, channel=demand.channel, category=demand.category, urgency=demand.urgency, complex=demand.complex,
        description=demand.description if sees else scrub(demand.description, names=[r.name]),
        place=PlaceOut(area_code=demand.area_code, area_path=demand.area_path, latitude=lat, longitude=lon,
                       address=demand.address if sees else mask_address(demand.address)),
        resident=ResidentOut(name=r.name if sees else mask_name(r.name), phone=r.phone if sees else mask_phone(r.phone),
                             anonymous=r.anonymous),
        personal_data_masked=not sees, priority_household=demand.priority_household,
        entered_by=demand.entered_by, entered_by_role=demand.entered_by_role,
        entered_on_behalf=demand.entered_on_behalf, state=demand.state.value,
        allowed_next_states=DEMAND_MACHINE.allowed_from(demand.state), handling_area_code=demand.handling_area_code,
        handling_level=demand.handling_level, accountable_area_code=demand.accountable_area_code,
        first_receiver=demand.first_receiver, assignee=demand.assignee,
        assignee_unit_id=demand.assignee_unit_id, me_too_count=demand.me_too_count, people_count=demand.people_count,
        merged_into=demand.merged_into, feedback=demand.feedback, submitted_at=demand.submitted_at,
        responded_at=demand.responded_at, resolved_at=demand.resolved_at, closed_at=demand.closed_at,
        updated_at=demand.updated_at, **extra)


def _standing(standing: Standing) -> dict:
    return {"respond_due_at": standing.respond_due_at, "resolve_due_at": standing.resolve_due_at,
            "breached": list(standing.breached), "assignee_unit_name": standing.assignee_unit_name}


def list_item_out(demand: Demand, standing: Standing, scope: AreaScope) -> DemandListItemOut:
    return demand_out(demand, scope, DemandListItemOut, **_standing(standing))


def dispatch_out(d, report_note: str | None) -> DispatchOut:
    return DispatchOut(id=d.id, receiver=d.receiver, receiver_kind=d.receiver_kind, receiver_unit_id=d.receiver_unit_id,
                       dispatched_at=d.dispatched_at, report_in_due_at=d.report_in_due_at,
                       reported_in_at=d.reported_in_at, report_note=report_note)


def duplicate_out(offer: Offered) -> DuplicateOut | SimilarDemandOut:
    """In full where the use case says the caller sees the demand's details, else only that it can be joined."""
    m = offer.match
    if m is None:
        return SimilarDemandOut(kind="similar", demand_id=offer.demand_id,
                                me_too=f"/api/v1/demands/{offer.demand_id}/me-too")
    return DuplicateOut(kind="match", demand_id=m.demand_id, score=m.score, same_area=m.same_area, distance_m=m.distance_m)


def detail_out(demand: Demand, standing: Standing, scope: AreaScope, history, clocks: list[DeadlineClock],
               dispatches) -> DemandDetailOut:
    # Notes are free text staff and units write (a call made, a visit agreed): shown as the description
    # is, phone and ID numbers hidden and the resident's name masked, to whoever may not see personal data.
    sees = sees_personal_data(scope, demand.area_path, owner_subject=demand.resident_subject)

    def shown(note: str | None) -> str | None:
        return note if sees or note is None else scrub(note, names=[demand.resident.name])

    return demand_out(
        demand, scope, DemandDetailOut, **_standing(standing),
        history=[HistoryOut(action=h.action, from_state=h.from_state, to_state=h.to_state, actor=h.actor,
                            actor_role=h.actor_role, note=shown(h.note), at=h.at) for h in history],
        deadlines=[DeadlineOut(kind=c.kind.value, dispatch_id=c.dispatch_id or None, budget_hours=round(c.budget_s / 3600, 3),
                               due_at=c.due_at, running=c.running, ended_at=c.ended_at, outcome=c.outcome,
                               breached_at=c.breached_at) for c in clocks],
        dispatches=[dispatch_out(d, shown(d.report_note)) for d in dispatches])


def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(id=m.id, area_code=m.area_code, title=m.title, scheduled_at=m.scheduled_at, state=m.state.value,
                      agenda=m.agenda, attendees=m.attendees, minutes=m.minutes,
                      decisions=[{"kind": d.kind, "demand_ids": d.demand_ids, "category": d.category,
                                  "summary": d.summary} for d in m.decisions], closed_at=m.closed_at)


def cursor_of(at: datetime, ident: str) -> str:
    return f"{at.isoformat()}|{ident}"


def parse_cursor(after: str | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    try:
        at, ident = after.rsplit("|", 1)
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None or not ident:
            raise ValueError
        return parsed, ident
    except ValueError:
        raise Problem("bad-cursor", "`after` must be a `next_cursor` this API handed out, unchanged") from None
