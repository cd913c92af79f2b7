"""Deliberation meetings: scheduling, agenda items from demands, attendees and minutes, and closing
with decisions that resolve demands or request a project (`meeting.closed`)."""

from __future__ import annotations

from datetime import datetime

from demand_intake.domain.demand import State
from demand_intake.domain.errors import DemandRuleViolation, MeetingRuleViolation
from demand_intake.domain.meeting import Decision, DecisionKind, Meeting
from demand_intake.store.demands import DemandRepository
from demand_intake.store.meetings import MeetingRepository
from demand_intake.use_cases.access import Actor, check_category, new_id, scrub, visible_demand
from demand_intake.use_cases.demands import apply_state
from demand_intake.use_cases.errors import DemandRuleBroken
from demand_intake.use_cases.publishing import SOURCE
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_info
from yizhou.clock import Clock
from yizhou.contracts.meetings import MeetingCancelled, MeetingClosed, MeetingDecision
from yizhou.database import Database
from yizhou.errors import ApplicationError, Forbidden, NotFound, UnknownReference
from yizhou.state_machine import IllegalTransition, as_problem

ORGANISERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})


def _problem(exc: Exception) -> ApplicationError:
    return as_problem(exc) if isinstance(exc, IllegalTransition) else DemandRuleBroken(str(exc))


async def _visible(repo: MeetingRepository, scope: AreaScope, meeting_id: str) -> Meeting:
    meeting = await repo.get(meeting_id)
    if meeting is None or not scope.covers(meeting.area_path) or scope.caller.role in (Role.PARTNER, Role.RESIDENT):
        raise NotFound(f"No meeting '{meeting_id}' in your scope.")
    return meeting


async def schedule(db: Database, scope: AreaScope, clock: Clock, *, area_code: str, title: str,
                   scheduled_at: datetime) -> Meeting:
    require_role(scope, ORGANISERS, "organise deliberation meetings")
    async with db.unit_of_work() as uow:
        area = await area_info(uow.session, area_code)
        if area is None or not scope.covers(area.path):
            raise UnknownReference(f"No area '{area_code}' in your scope.",
                          errors=[{"field": "area_code", "message": "unknown area"}])
        meeting = Meeting(id=new_id(), area_code=area.code, area_path=area.path, title=title.strip(),
                          scheduled_at=scheduled_at, created_by=scope.caller.subject)
        await MeetingRepository(uow.session).add(meeting)
        await uow.commit()
    return meeting


async def get(db: Database, scope: AreaScope, meeting_id: str) -> Meeting:
    async with db.sessions() as session:
        return await _visible(MeetingRepository(session), scope, meeting_id)


async def list_meetings(db: Database, scope: AreaScope, *, state: str | None, after, limit: int) -> list[Meeting]:
    if scope.caller.role in (Role.PARTNER, Role.RESIDENT):
        raise Forbidden("Meetings are listed for staff and members.")
    async with db.sessions() as session:
        return await MeetingRepository(session).list(under_path=scope.path, state=state, after=after, limit=limit)


async def add_agenda_item(db: Database, scope: AreaScope, clock: Clock, meeting_id: str, demand_id: str,
                          note: str | None) -> Meeting:
    require_role(scope, ORGANISERS, "change a meeting's agenda")
    async with db.unit_of_work() as uow:
        repo = MeetingRepository(uow.session)
        meeting = await _visible(repo, scope, meeting_id)
        demand = await visible_demand(DemandRepository(uow.session), scope, demand_id)
        try:
            meeting.require_open()
        except MeetingRuleViolation as exc:
            raise _problem(exc) from None
        if not demand.area_path.startswith(meeting.area_path):
            raise DemandRuleBroken(f"Demand {demand_id} is outside the meeting's area {meeting.area_code}.")
        if not demand.is_open:
            raise DemandRuleBroken(f"Demand {demand_id} is {demand.state.value}; only open demands go on an agenda.")
        if await repo.add_agenda_item(meeting.id, demand.id, note, clock.now()):
            meeting.agenda.append(demand.id)
        await uow.commit()
    return meeting


async def record(db: Database, scope: AreaScope, meeting_id: str, *, attendees: list[dict] | None = None,
                 minutes: str | None = None) -> Meeting:
    require_role(scope, ORGANISERS, "record a meeting")
    async with db.unit_of_work() as uow:
        repo = MeetingRepository(uow.session)
        meeting = await _visible(repo, scope, meeting_id)
        try:
            meeting.require_open()
        except MeetingRuleViolation as exc:
            raise _problem(exc) from None
        if attendees is not None:
            meeting.attendees = attendees
        if minutes is not None:
            meeting.minutes = minutes
        await repo.save(meeting)
        await uow.commit()
    return meeting


async def close(db: Database, scope: AreaScope, clock: Clock, meeting_id: str, decisions: list[Decision]) -> Meeting:
    require_role(scope, ORGANISERS, "close a meeting")
    async with db.unit_of_work() as uow:
        repo = MeetingRepository(uow.session)
        meeting = await _visible(repo, scope, meeting_id)
        for n, decision in enumerate(decisions):
            check_category(decision.category, f"decisions.{n}.category")
        now = clock.now()
        try:
            meeting.close(decisions, now)
        except (MeetingRuleViolation, IllegalTransition) as exc:
            raise _problem(exc) from None
        demands = DemandRepository(uow.session)
        actor = Actor.of(scope)
        for decision in decisions:
            if decision.kind != DecisionKind.RESOLVE_DEMAND:
                continue
            for demand_id in decision.demand_ids:
                demand = await demands.get(demand_id)
                previous = demand.state
                try:
                    demand.move_to(State.RESOLVED, now)
                except (IllegalTransition, DemandRuleViolation) as exc:
                    raise _problem(exc) from None
                await apply_state(uow, demand, previous, now, actor, note=f"meeting {meeting.id}: {decision.summary}",
                                  event_extra={"resolved_by": "meeting", "source_id": meeting.id})
        await repo.save(meeting)
        uow.record(MeetingClosed(
            meeting_id=meeting.id, area_code=meeting.area_code, area_path=meeting.area_path, closed_at=now,
            attendee_count=len(meeting.attendees),
            decisions=[MeetingDecision(kind=d.kind.value, demand_ids=d.demand_ids, category=d.category,
                                       summary=scrub(d.summary))
                       for d in decisions]), aggregate_id=meeting.id, source=SOURCE)
        await uow.commit()
    return meeting


async def cancel(db: Database, scope: AreaScope, clock: Clock, meeting_id: str) -> Meeting:
    require_role(scope, ORGANISERS, "cancel a meeting")
    async with db.unit_of_work() as uow:
        repo = MeetingRepository(uow.session)
        meeting = await _visible(repo, scope, meeting_id)
        now = clock.now()
        try:
            meeting.cancel(now)
        except IllegalTransition as exc:
            raise _problem(exc) from None
        await repo.save(meeting)
        uow.record(MeetingCancelled(meeting_id=meeting.id, area_code=meeting.area_code, area_path=meeting.area_path,
                                    cancelled_at=now, agenda_demand_ids=meeting.agenda),
                   aggregate_id=meeting.id, source=SOURCE)
        await uow.commit()
    return meeting
