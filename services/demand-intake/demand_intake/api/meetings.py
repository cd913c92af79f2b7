"""/api/v1/meetings: deliberation meetings (共商共治)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from demand_intake.api.schemas import AgendaIn, CloseMeetingIn, MeetingIn, MeetingOut, RecordIn
from demand_intake.api.views import cursor_of, meeting_out, parse_cursor
from demand_intake.domain.meeting import Decision, MeetingState
from demand_intake.use_cases import meetings as use_cases
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.list_parameters import After
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem

router = APIRouter(prefix="/api/v1/meetings", tags=["deliberation meetings"])
MeetingId = Annotated[str, Path(min_length=1, max_length=36)]
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role may not organise meetings"},
            404: {"description": "Unknown meeting or demand, or outside your area"},
            409: {"description": "The meeting or a demand is in a state that does not allow it (`illegal-transition`)"},
            422: {"description": "Invalid body; closing without attendees or minutes, or deciding off the agenda (`demand-rule`)"}}


@router.post("", status_code=201, response_model=MeetingOut, responses=PROBLEMS, summary="Schedule a meeting")
async def schedule(body: MeetingIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep) -> MeetingOut:
    if body.scheduled_at.tzinfo is None:
        raise Problem("validation", "scheduled_at needs a timezone.",
                      errors=[{"field": "scheduled_at", "location": "body", "message": "timezone required"}])
    return meeting_out(await use_cases.schedule(db, scope, clock, area_code=body.area_code,
                                                title=body.title, scheduled_at=body.scheduled_at))


@router.get("", response_model=Page[MeetingOut], responses=PROBLEMS, summary="Meetings in your area, latest first")
async def list_meetings(db: DatabaseDep, scope: ScopeDep, state: MeetingState | None = None,
                        after: After = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Page[MeetingOut]:
    meetings = await use_cases.list_meetings(db, scope, state=state.value if state else None, after=parse_cursor(after),
                                             limit=limit + 1)
    return page_of([meeting_out(m) for m in meetings], limit, lambda m: cursor_of(m.scheduled_at, m.id))


@router.get("/{meeting_id}", response_model=MeetingOut, responses=PROBLEMS, summary="One meeting")
async def get_meeting(meeting_id: MeetingId, db: DatabaseDep, scope: ScopeDep, response: Response) -> MeetingOut:
    return tagged(response, meeting_out(await use_cases.get(db, scope, meeting_id)))


@router.post("/{meeting_id}/agenda", response_model=MeetingOut, responses=PROBLEMS,
             summary="Put an open demand of the meeting's area on the agenda")
async def add_agenda_item(meeting_id: MeetingId, body: AgendaIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    return meeting_out(await use_cases.add_agenda_item(db, scope, clock, meeting_id, body.demand_id,
                                                       body.note))


@router.patch("/{meeting_id}", response_model=MeetingOut, responses=PROBLEMS | PRECONDITION,
              summary="Record attendees and/or minutes (both needed before closing)")
async def record(meeting_id: MeetingId, body: RecordIn, write: ConditionalWriteDep, scope: ScopeDep,
                 response: Response) -> MeetingOut:
    attendees = [a.model_dump() for a in body.attendees] if body.attendees is not None else None
    await write.check(use_cases.get(write.database, scope, meeting_id), meeting_out)
    return await write.commit(response, meeting_out(await use_cases.record(write.database, scope, meeting_id,
                                                                           attendees=attendees, minutes=body.minutes)))


@router.post("/{meeting_id}/close", response_model=MeetingOut, responses=PROBLEMS,
             summary="Close with decisions: resolve demands on the agenda and/or request a project (`meeting.closed`)")
async def close(meeting_id: MeetingId, body: CloseMeetingIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    decisions = [Decision(d.kind, d.demand_ids, d.category, d.summary) for d in body.decisions]
    return meeting_out(await use_cases.close(db, scope, clock, meeting_id, decisions))


@router.post("/{meeting_id}/cancel", response_model=MeetingOut, responses=PROBLEMS,
             summary="Cancel a scheduled meeting (`meeting.cancelled`); its agenda's demands stay open")
async def cancel(meeting_id: MeetingId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep) -> MeetingOut:
    return meeting_out(await use_cases.cancel(db, scope, clock, meeting_id))
