"""/api/v1/demands: intake from every channel, the lifecycle, escalation and whistle, duplicates."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from demand_intake.api.schemas import (
    AcceptIn, AssignIn, CloseIn, DemandDetailOut, DemandIn, DemandListItemOut, DemandOut, DispatchOut, DuplicateCandidateOut, DuplicateOut,
    EscalateIn, FeedbackIn, ImportIn, ImportOut, MergeIn, MeTooOut, NoteIn, SimilarDemandOut, SubmittedOut, WhistleIn,
)
from demand_intake.api.views import (cursor_of, demand_out, detail_out, dispatch_out, duplicate_out, list_item_out,
                                    parse_cursor)
from demand_intake.domain.demand import Channel, Resident, State
from demand_intake.use_cases import demands as use_cases
from demand_intake.use_cases import escalation, imports
from demand_intake.use_cases.demands import Submission
from yizhou.auth import Role
from yizhou.axis_events import CODE_PATTERN
from yizhou.clock import Clock
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import After, AreaCode, From, To, Under
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem
from yizhou.query_lists import QueryList

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/demands", tags=["demands"])

DemandId = Annotated[str, Path(min_length=1, max_length=36, description="Demand id")]
PROBLEMS = {401: {"description": "No or bad token (problem+json `unauthenticated`)"},
            403: {"description": "Role may not do this (`forbidden`), or the demand is handled above your area (`out-of-scope`)"},
            404: {"description": "Unknown demand, or outside your area (`not-found`)"},
            409: {"description": "Illegal transition (`illegal-transition`, names current and allowed states) or a concurrent change (`conflict`)"},
            422: {"description": "Invalid body (`validation`), unknown area (`unknown-reference`), or a demand rule (`demand-rule`)"}}


def _submission(body: DemandIn) -> Submission:
    r = body.resident
    resident = Resident(name=r.name, phone=r.phone, anonymous=r.anonymous) if r else Resident(anonymous=True)
    return Submission(channel=body.channel, category=body.category, urgency=body.urgency, description=body.description,
                      area_code=body.area_code, resident=resident, priority_household=body.priority_household,
                      latitude=body.latitude, longitude=body.longitude, address=body.address)


@router.post("", status_code=201, response_model=SubmittedOut, responses=PROBLEMS,
             summary="Submit a demand from any channel (staff and members enter it for a resident)")
async def submit(body: DemandIn, request: Request, clock: ClockDep, db: IdempotentDatabaseDep, scope: ScopeDep,
                 response: Response) -> SubmittedOut:
    submitted = await use_cases.submit(db, scope, clock, request.app.state.settings, _submission(body))
    response.headers["Location"] = f"/api/v1/demands/{submitted.demand.id}"
    return SubmittedOut(demand=demand_out(submitted.demand, scope),
                        possible_duplicates=[duplicate_out(m) for m in submitted.possible_duplicates])


@router.post("/import", status_code=201, response_model=ImportOut, responses=PROBLEMS,
             summary="Import past demands with their steps in one transaction (a hotline backlog; the demo district)")
async def import_demands(body: ImportIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep) -> ImportOut:
    items = []
    for item in body.demands:
        if item.submitted_at.tzinfo is None:
            raise Problem("validation", "submitted_at needs a timezone.",
                          errors=[{"field": "demands.submitted_at", "location": "body", "message": "timezone required"}])
        items.append(imports.ImportItem(
            submission=_submission(item), submitted_at=item.submitted_at,
            steps=[imports.Step(s.action, timedelta(hours=s.after_hours), s.assignee, s.feedback, s.unit_id)
                   for s in item.steps]))
    ids = await imports.import_demands(db, scope, clock, request.app.state.settings, items)
    return ImportOut(imported=len(ids), ids=ids)


# Both shapes of a duplicate, as the OpenAPI document's examples of the list answers.
DUPLICATES_EXAMPLES = {200: {"content": {"application/json": {"examples": {
    "staff": {"summary": "Staff whose area covers the demands: each in full",
              "value": DuplicateOut.model_config["json_schema_extra"]["examples"]},
    "resident": {"summary": "Residents and members: only that a similar demand is open and can be joined",
                 "value": SimilarDemandOut.model_config["json_schema_extra"]["examples"]}}}}}}
DUPLICATES_NOTE = ("Only demands you may read (your area's subtree) are offered. Staff get each in full (`match`: score, "
                   "same area, distance); residents and members only that it exists and can be joined (`similar`), "
                   "judged on the demand as they may read it (numbers in its text hidden, its point rounded).")


@router.post("/duplicate-check", response_model=list[DuplicateCandidateOut], responses={**PROBLEMS, **DUPLICATES_EXAMPLES},
             summary="Open demands a submission would probably duplicate (near, similar, recent), without submitting",
             description=DUPLICATES_NOTE)
async def duplicate_check(body: DemandIn, request: Request, clock: ClockDep, db: DatabaseDep,
                          scope: ScopeDep) -> list[DuplicateOut | SimilarDemandOut]:
    offers = await use_cases.check_duplicates(db, scope, clock, request.app.state.settings, _submission(body))
    return [duplicate_out(o) for o in offers]


@router.get("", response_model=Page[DemandListItemOut], responses=PROBLEMS,
            summary="Demands in your area, newest first (residents: `mine=true` for their own), each with its "
                    "deadlines, the deadlines it missed (`breached`) and its assignee")
async def list_demands(db: DatabaseDep, scope: ScopeDep, clock: ClockDep,
                       state: Annotated[QueryList[State] | None, Query(description="Repeat for several")] = None,
                       category: Annotated[str | None, Query(max_length=64)] = None,
                       channel: Channel | None = None,
                       under: Under = None, area_code: AreaCode = None,
                       handling_area_code: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                       from_: From = None, to: To = None,
                       mine: bool = False, after: After = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Page[DemandListItemOut]:
    submitted_from, submitted_to = from_, to
    listed = await use_cases.list_page(
        db, scope, clock, under=under, mine=mine, limit=limit + 1, state=[s.value for s in state] if state else None,
        category=category, channel=channel.value if channel else None, area_code=area_code,
        handling_area_code=handling_area_code, submitted_from=submitted_from, submitted_to=submitted_to,
        after=parse_cursor(after))
    return page_of([list_item_out(d, standing, scope) for d, standing in listed], limit,
                   lambda d: cursor_of(d.submitted_at, d.id))


@router.get("/{demand_id}", response_model=DemandDetailOut, responses=PROBLEMS,
            summary="One demand with its history, deadline clocks and whistle dispatches")
async def get_demand(demand_id: DemandId, db: DatabaseDep, scope: ScopeDep, clock: ClockDep) -> DemandDetailOut:
    demand, standing, history, clocks, dispatches = await use_cases.details(db, scope, clock, demand_id)
    return detail_out(demand, standing, scope, history, clocks, dispatches)


@router.get("/{demand_id}/duplicates", response_model=list[DuplicateCandidateOut],
            responses={**PROBLEMS, **DUPLICATES_EXAMPLES}, summary="Open demands this one probably duplicates",
            description=DUPLICATES_NOTE)
async def duplicates_of(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep,
                        scope: ScopeDep) -> list[DuplicateOut | SimilarDemandOut]:
    offers = await use_cases.duplicates_of(db, scope, clock, request.app.state.settings, demand_id)
    return [duplicate_out(o) for o in offers]


async def _move(request: Request, clock: Clock, db, scope, demand_id: str, target: State, **kw) -> DemandOut:
    demand = await use_cases.change_state(db, scope, clock, request.app.state.settings, demand_id, target, **kw)
    return demand_out(demand, scope)


@router.post("/{demand_id}/accept", response_model=DemandOut, responses=PROBLEMS,
             summary="Accept (受理): the first response; the accepting staff's area stays accountable")
async def accept(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: AcceptIn | None = None):
    body = body or AcceptIn()
    return await _move(request, clock, db, scope, demand_id, State.ACCEPTED, note=body.note, complex_case=body.complex)


@router.post("/{demand_id}/reject", response_model=DemandOut, responses=PROBLEMS,
             summary="Reject: not something the platform handles (say why in `note`)")
async def reject(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    return await _move(request, clock, db, scope, demand_id, State.REJECTED, note=(body or NoteIn()).note)


@router.post("/{demand_id}/assign", response_model=DemandOut, responses=PROBLEMS,
             summary="Assign to the unit, department or team that handles it")
async def assign(demand_id: DemandId, body: AssignIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    return await _move(request, clock, db, scope, demand_id, State.ASSIGNED, note=body.note, assignee=body.assignee,
                       unit_id=body.unit_id)


@router.post("/{demand_id}/start", response_model=DemandOut, responses=PROBLEMS, summary="Work has started")
async def start(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    return await _move(request, clock, db, scope, demand_id, State.IN_PROGRESS, note=(body or NoteIn()).note)


@router.post("/{demand_id}/resolve", response_model=DemandOut, responses=PROBLEMS,
             summary="Resolved: waits for the resident's feedback (the resolve clock pauses)")
async def resolve(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    return await _move(request, clock, db, scope, demand_id, State.RESOLVED, note=(body or NoteIn()).note)


@router.post("/{demand_id}/close", response_model=DemandOut, responses=PROBLEMS,
             summary="Close with the resident's feedback or a recorded contact attempt; `dissatisfied` reopens instead "
                     "(the area it was filed in may record it after escalating)")
async def close(demand_id: DemandId, body: CloseIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    return await _move(request, clock, db, scope, demand_id, State.CLOSED, note=body.note, feedback=body.feedback,
                       contact_attempted=body.contact_attempted)


@router.post("/{demand_id}/feedback", response_model=DemandOut, responses=PROBLEMS,
             summary="The resident who submitted it gives feedback on a resolved demand (closes or reopens it)")
async def feedback(demand_id: DemandId, body: FeedbackIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    if scope.caller.role != Role.RESIDENT:
        raise Problem("forbidden", "Staff record feedback with /close; this is the resident's own.")
    return await _move(request, clock, db, scope, demand_id, State.CLOSED, note=body.note, feedback=body.feedback)


@router.post("/{demand_id}/reopen", response_model=DemandOut, responses=PROBLEMS,
             summary="Reopen a resolved demand (e.g. the resident called back; the area it was filed in may, "
                     "after escalating)")
async def reopen(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    return await _move(request, clock, db, scope, demand_id, State.REOPENED, note=(body or NoteIn()).note)


@router.post("/{demand_id}/withdraw", response_model=DemandOut, responses=PROBLEMS,
             summary="Withdrawn by the resident who submitted it (or staff on their word)")
async def withdraw(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    return await _move(request, clock, db, scope, demand_id, State.WITHDRAWN, note=(body or NoteIn()).note)


@router.post("/{demand_id}/escalate", response_model=DemandOut, responses=PROBLEMS,
             summary="Escalate one level up the axis (grid > community > subdistrict > district); clocks run on")
async def escalate(demand_id: DemandId, body: EscalateIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    return demand_out(await escalation.escalate(db, scope, clock, demand_id, body.reason), scope)


@router.post("/{demand_id}/dispatch", response_model=list[DispatchOut], status_code=201, responses=PROBLEMS,
             summary="Blow the whistle (吹哨): dispatch to registered units or departments that must report in")
async def dispatch(demand_id: DemandId, body: WhistleIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    hours = body.report_in_hours or request.app.state.settings.report_in_hours
    receivers = [escalation.Receiver(r.unit_id, r.receiver, r.kind) for r in body.receivers]
    _, rows = await escalation.whistle(db, scope, clock, demand_id, receivers, hours)
    return [dispatch_out(r, None) for r in rows]


@router.post("/{demand_id}/dispatches/{dispatch_id}/report-in", response_model=DispatchOut, responses=PROBLEMS,
             summary="A whistled unit or department reports in (报到): itself (a partner token whose subject is "
                     "the receiver's unit id), or staff of the handling area for it")
async def report_in(demand_id: DemandId, dispatch_id: Annotated[str, Path(max_length=36)], clock: ClockDep,
                    db: DatabaseDep, scope: ScopeDep, body: NoteIn | None = None):
    r = await escalation.report_in(db, scope, clock, demand_id, dispatch_id, (body or NoteIn()).note)
    return dispatch_out(r, r.report_note)


@router.post("/{demand_id}/merge", response_model=DemandOut, responses=PROBLEMS,
             summary="Staff merge a duplicate into an open demand; its residents count as 'me too' there")
async def merge(demand_id: DemandId, body: MergeIn, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep):
    _, target = await use_cases.merge(db, scope, clock, demand_id, body.into_demand_id)
    return demand_out(target, scope)


@router.post("/{demand_id}/me-too", response_model=MeTooOut, responses=PROBLEMS,
             summary="'Me too': add your voice to an open demand (each person counts once)")
async def me_too(demand_id: DemandId, request: Request, clock: ClockDep, db: DatabaseDep, scope: ScopeDep) -> MeTooOut:
    demand, counted = await use_cases.me_too(db, scope, clock, demand_id)
    return MeTooOut(demand_id=demand.id, me_too_count=demand.me_too_count, people_count=demand.people_count,
                    counted_now=counted)


