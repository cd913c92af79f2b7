"""Request and response bodies of the demand API (Open311's live in api/open311_schemas.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from demand_intake.domain.demand import Channel, Feedback, PriorityHousehold, Urgency
from demand_intake.domain.escalation import ReceiverKind
from demand_intake.domain.meeting import DecisionKind
from yizhou.axis_events import CODE_PATTERN
from yizhou.contracts.units import REGISTRY_ID_PATTERN as UNIT_ID_PATTERN

CATEGORY_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
PHONE = r"^\+?[0-9][0-9 -]{5,19}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResidentIn(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=PHONE)
    anonymous: bool = False

    @model_validator(mode="after")
    def _anonymous_has_no_identity(self):
        if self.anonymous and (self.name or self.phone):
            raise ValueError("an anonymous resident has no name or phone")
        return self


class DemandIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "channel": "walk_around", "category": "elderly_care", "urgency": "normal",
        "description": "独居老人家中水龙头漏水，需要上门维修", "area_code": "CY0100101",
        "latitude": 39.9087, "longitude": 116.4605, "address": "建外街道1号院3号楼2单元",
        "resident": {"name": "张桂兰", "phone": "13800138000"}, "priority_household": "elderly_alone"}]})

    channel: Channel
    category: str = Field(pattern=CATEGORY_PATTERN, description="Service category code (GET /open311/v2/services.json lists them)")
    urgency: Urgency = Urgency.NORMAL
    description: str = Field(min_length=2, max_length=4000)
    area_code: str = Field(pattern=CODE_PATTERN, description="The area it is in, down to the grid")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    resident: ResidentIn | None = Field(default=None, description="Omit for an anonymous demand")
    priority_household: PriorityHousehold | None = Field(default=None, description="十必访 household kind")

    @model_validator(mode="after")
    def _point_is_whole(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together")
        return self


class PlaceOut(BaseModel):
    area_code: str
    area_path: str
    latitude: float | None
    longitude: float | None
    address: str | None


class ResidentOut(BaseModel):
    name: str | None
    phone: str | None
    anonymous: bool


class DemandOut(BaseModel):
    id: str
    channel: Channel
    category: str
    urgency: Urgency
    complex: bool
    description: str
    place: PlaceOut
    resident: ResidentOut
    personal_data_masked: bool = Field(description="True when the caller's role or area does not see personal data")
    priority_household: PriorityHousehold | None
    entered_by: str
    entered_by_role: str
    entered_on_behalf: bool
    state: str
    allowed_next_states: list[str]
    handling_area_code: str
    handling_level: str
    accountable_area_code: str | None = Field(description="The first receiver's area: accountable to the end")
    first_receiver: str | None
    assignee: str | None
    assignee_unit_id: str | None = Field(description="The assignee's id in org-registry, when a registered unit")
    me_too_count: int = Field(description="People who said 'me too' or whose duplicate was merged in, "
                                          "besides the resident it was filed for")
    people_count: int = Field(description="Everyone behind the demand, each person once: the resident it was "
                                          "filed for plus `me_too_count`")
    merged_into: str | None
    feedback: Feedback | None
    submitted_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime | None


BreachedClock = Literal["respond", "resolve", "report_in"]


class DemandListItemOut(DemandOut):
    """A demand as a list shows it: with its deadlines, the clocks it missed and its assignee's name."""

    respond_due_at: datetime | None = Field(description="When the first response is due; null once responded")
    resolve_due_at: datetime | None = Field(
        description="When the resolution is due; null while paused (resolved, waiting for feedback) or ended")
    breached: list[BreachedClock] = Field(
        description="The deadlines it missed (a whistled unit's `report_in` among them), whether or not "
                    "the clock has stopped since")
    assignee_unit_name: str | None = Field(
        description="The registered unit's name as org-registry has it now, when assigned to one")


class DuplicateOut(BaseModel):
    """A probable duplicate in full, for staff whose area covers it (all of theirs): how similar and
    how near, to decide on a merge."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "match", "demand_id": "5f0c6a8e-2d1b-4c4e-9a57-0b7f2f7f5a11", "score": 92.5, "same_area": False,
        "distance_m": 41.7}]})

    kind: Literal["match"]
    demand_id: str
    score: float = Field(description="Text similarity 0-100 (rapidfuzz)")
    same_area: bool
    distance_m: float | None = Field(description="From the submission's point; null when either has none")


class SimilarDemandOut(BaseModel):
    """A probable duplicate for callers who may read the demand but not its personal data (residents,
    party members): that a similar open demand exists and can be joined, nothing about how similar or
    how near (it was judged on the demand as they may read it: numbers in its text hidden, its point
    rounded)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "similar", "demand_id": "5f0c6a8e-2d1b-4c4e-9a57-0b7f2f7f5a11",
        "me_too": "/api/v1/demands/5f0c6a8e-2d1b-4c4e-9a57-0b7f2f7f5a11/me-too"}]})

    kind: Literal["similar"]
    demand_id: str
    me_too: str = Field(description="POST here to add your voice instead of filing the same demand again")


DuplicateCandidateOut = Annotated[DuplicateOut | SimilarDemandOut, Field(discriminator="kind")]
"""One probable duplicate: in full (`match`) for staff, or only that it exists (`similar`) for others.
Only demands the caller may read (their area's subtree) are ever offered."""


class SubmittedOut(BaseModel):
    demand: DemandOut
    possible_duplicates: list[DuplicateCandidateOut] = Field(
        description="Open demands you may read that are near in place, similar and recent: in full (`match`) for "
                    "staff, who may merge; only `similar` for residents and members, who may add 'me too'")


class HistoryOut(BaseModel):
    action: str
    from_state: str | None
    to_state: str
    actor: str
    actor_role: str
    note: str | None
    at: datetime


class DeadlineOut(BaseModel):
    kind: str
    dispatch_id: str | None
    budget_hours: float
    due_at: datetime | None = Field(description="Null while paused or ended")
    running: bool
    ended_at: datetime | None
    outcome: str | None
    breached_at: datetime | None


class DispatchOut(BaseModel):
    id: str
    receiver: str
    receiver_kind: ReceiverKind
    receiver_unit_id: str | None = Field(description="The registered unit dispatched to; it reports in with a "
                                                     "partner token whose subject is this id (null: a dispatch "
                                                     "from before receivers were registered units)")
    dispatched_at: datetime
    report_in_due_at: datetime
    reported_in_at: datetime | None
    report_note: str | None


class DemandDetailOut(DemandListItemOut):
    history: list[HistoryOut]
    deadlines: list[DeadlineOut]
    dispatches: list[DispatchOut]


class NoteIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "已电话联系居民，明日上门"}]})

    note: str | None = Field(default=None, max_length=2000)


class AcceptIn(NoteIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "网格员受理", "complex": False}]})

    complex: bool = Field(default=False, description="A complex case gets the complex resolve deadline (15 days)")


class AssignIn(NoteIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"assignee": "建外街道城管科"}, {"unit_id": "u-cy-0001"}]})

    assignee: str | None = Field(default=None, min_length=1, max_length=200,
                                 description="The unit, department or team that handles it (default: the unit's name)")
    unit_id: str | None = Field(default=None, pattern=UNIT_ID_PATTERN,
                                description="A unit registered in org-registry: its rates then count by this id "
                                            "(`GET /rates?unit_id=`)")

    @model_validator(mode="after")
    def _names_someone(self):
        if self.assignee is None and self.unit_id is None:
            raise ValueError("give an assignee, a registered unit's unit_id, or both")
        return self


class CloseIn(NoteIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"feedback": "satisfied"}, {"contact_attempted": True, "note": "三次电话未接通"}]})

    feedback: Feedback | None = Field(default=None, description="The resident's word; dissatisfied reopens the demand")
    contact_attempted: bool = Field(default=False, description="No feedback, but an attempt to reach the resident is recorded")


class FeedbackIn(NoteIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"feedback": "basically_satisfied"}]})

    feedback: Feedback


class EscalateIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "涉及多个产权单位，社区无法协调"}]})

    reason: str = Field(min_length=2, max_length=500)


class ReceiverIn(Strict):
    unit_id: str = Field(pattern=UNIT_ID_PATTERN, description="A unit registered in org-registry (a department "
                                                              "is one of kind `agency`), in your area or on the "
                                                              "demand's axis above it")
    receiver: str | None = Field(default=None, min_length=1, max_length=200,
                                 description="The name to show (default: the unit's registered name)")
    kind: ReceiverKind | None = Field(default=None, description="Default: `department` for an `agency`, else `unit`")


class WhistleIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"receivers": [{"unit_id": "u-cy-0001"}, {"unit_id": "u-cy-0002", "receiver": "北京热力集团朝阳分公司"}],
         "report_in_hours": 24}]})

    receivers: list[ReceiverIn] = Field(min_length=1, max_length=20)
    report_in_hours: float | None = Field(default=None, gt=0, le=24 * 30,
                                          description="Defaults to DEMAND_REPORT_IN_HOURS (24)")


class MergeIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"into_demand_id": "3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f"}]})

    into_demand_id: str = Field(min_length=1, max_length=36)


class MeTooOut(BaseModel):
    demand_id: str
    me_too_count: int
    people_count: int = Field(description="Everyone behind the demand: its resident plus `me_too_count`")
    counted_now: bool = Field(description="False when you had said 'me too' before (each person counts once)")


class RatesOut(BaseModel):
    area_code: str
    period: str
    period_start: datetime
    period_end: datetime
    assignee: str | None
    unit_id: str | None = Field(description="The registered unit whose demands these are (`unit_id=`)")
    category: str | None
    submitted: int
    response_settled: int
    responded_on_time: int
    handled: int
    resolved: int
    with_feedback: int
    satisfied: int
    backlog: int
    overdue_open: int
    with_resident_feedback: int = Field(description="Demands whose resident said how satisfied they are: through "
                                                    "their own account, or to staff calling them back")
    satisfied_by_resident: int = Field(description="Of those, satisfied or basically satisfied")
    imported: int = Field(description="Demands brought in by an import in the period: in none of the counts above, "
                                      "since their history was entered by those the rates measure")
    with_resident_answer: int = Field(description="Demands whose resident answered 'resolved?' at a callback (their "
                                                  "own or staff's call to them)")
    resolved_by_resident: int = Field(description="Of those, the resident said resolved")
    response_rate: float | None
    resolution_rate: float | None = Field(description="Scored: `resolved_by_resident` / `with_resident_answer`, what "
                                                      "residents said at callbacks")
    satisfaction_rate: float | None = Field(description="Scored: `satisfied_by_resident` / `with_resident_feedback`, "
                                                        "what residents said (staff entries left out)")
    declared_resolution_rate: float | None = Field(description="Not scored: resolved or closed as staff declared it "
                                                               "(`resolved` / `handled`)")
    recorded_satisfaction_rate: float | None = Field(description="Not scored: all recorded feedback, staff entries "
                                                                 "included (`satisfied` / `with_feedback`)")
    resident_satisfaction_rate: float | None = Field(
        description="The same as `satisfaction_rate` (its name in the previous version)")


class FactOut(BaseModel):
    demand_id: str
    area_code: str
    category: str
    channel: str | None
    urgency: str | None
    state: str
    assignee: str | None
    assignee_unit_id: str | None
    accountable_area_code: str | None
    submitted_at: datetime
    responded_at: datetime | None
    overdue: bool
    respond_overdue: bool
    resolve_overdue: bool
    breached: list[BreachedClock] = Field(description="Which deadlines it missed: `respond`, `resolve`, `report_in`")
    me_too_count: int
    people_count: int = Field(description="Its resident plus `me_too_count`")


class MeetingIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"area_code": "CY01001", "title": "建外社区第三季度共商共治议事会", "scheduled_at": "2026-09-15T06:00:00Z"}]})

    area_code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    scheduled_at: datetime


class AgendaIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"demand_id": "3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f", "note": "小区停车难"}]})

    demand_id: str = Field(min_length=1, max_length=36)
    note: str | None = Field(default=None, max_length=2000)


class AttendeeIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    affiliation: str | None = Field(default=None, max_length=200)
    role: str = Field(default="representative", max_length=50, description="party | government | resident | unit | ...")


class RecordIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"attendees": [{"name": "李明", "affiliation": "建外街道工委", "role": "party"},
                       {"name": "王芳", "affiliation": "居民代表", "role": "resident"}],
         "minutes": "议定：由物业牵头划定临时停车位；申请街道立项改造停车场。"}]})

    attendees: list[AttendeeIn] | None = Field(default=None, max_length=500)
    minutes: str | None = Field(default=None, max_length=20000)


class DecisionIn(Strict):
    kind: DecisionKind
    demand_ids: list[str] = Field(min_length=1, max_length=200)
    category: str = Field(pattern=CATEGORY_PATTERN)
    summary: str = Field(min_length=1, max_length=2000)


class CloseMeetingIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"decisions": [
        {"kind": "resolve_demand", "demand_ids": ["3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f"], "category": "public_space",
         "summary": "物业划定临时停车位"},
        {"kind": "request_project", "demand_ids": ["3f0c2d9e-8d0f-4c55-9d7e-1b2a3c4d5e6f"], "category": "public_space",
         "summary": "申请立项改造停车场"}]}]})

    decisions: list[DecisionIn] = Field(default_factory=list, max_length=100)


class DecisionOut(BaseModel):
    kind: DecisionKind
    demand_ids: list[str]
    category: str
    summary: str


class MeetingOut(BaseModel):
    id: str
    area_code: str
    title: str
    scheduled_at: datetime
    state: str
    agenda: list[str]
    attendees: list[dict]
    minutes: str | None
    decisions: list[DecisionOut]
    closed_at: datetime | None


class ImportStepIn(Strict):
    action: Literal["accept", "assign", "start", "resolve", "close", "reject", "withdraw", "reopen"]
    after_hours: float = Field(ge=0, le=24 * 366, description="Hours after submission")
    assignee: str | None = Field(default=None, max_length=200)
    unit_id: str | None = Field(default=None, pattern=UNIT_ID_PATTERN,
                                description="For assign: a registered unit (as in `POST /demands/{id}/assign`)")
    feedback: Feedback | None = Field(default=None, description="For close; none means a recorded contact attempt")


class ImportItemIn(DemandIn):
    # Its own example: DemandIn's, which it would inherit, has no `submitted_at`.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "channel": "hotline", "category": "utilities", "urgency": "normal", "description": "停水", "area_code": "CY0100101",
        "submitted_at": "2026-10-02T01:00:00Z", "steps": [{"action": "accept", "after_hours": 2}]}]})

    submitted_at: datetime
    steps: list[ImportStepIn] = Field(default_factory=list, max_length=20)


class ImportIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"demands": [{
        "channel": "hotline", "category": "utilities", "urgency": "normal", "description": "停水", "area_code": "CY0100101",
        "submitted_at": "2026-10-02T01:00:00Z",
        "steps": [{"action": "accept", "after_hours": 2}, {"action": "resolve", "after_hours": 30},
                  {"action": "close", "after_hours": 40, "feedback": "satisfied"}]}]}]})

    demands: list[ImportItemIn] = Field(min_length=1, max_length=1000)


class ImportOut(BaseModel):
    imported: int
    ids: list[str]


def _plausible_year(value: datetime) -> datetime:
    # Far dates overflow when shifted to UTC (a 500 on year 1 at +14:00); no callback is from there.
    if not 1900 <= value.year <= 2200:
        raise ValueError("must be between the years 1900 and 2200")
    return value


CallbackSourceName = Literal["resident", "callback_by_staff", "staff_entry"]


class CallbackIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"resolved": True, "satisfaction": "satisfied"},
        {"resolved": False, "satisfaction": "dissatisfied", "source": "callback_by_staff",
         "called_at": "2026-11-12T10:30:00+08:00"}]})

    resolved: bool = Field(description="The resident's answer: was it resolved?")
    satisfaction: Feedback = Field(description="The resident's answer: satisfied, basically satisfied or dissatisfied")
    source: CallbackSourceName | None = Field(
        default=None, description="Staff say who answered: `callback_by_staff` (you called the resident; counted) or "
                                  "`staff_entry` (your own entry; kept, never scored). A resident's own is `resident`")
    called_at: Annotated[AwareDatetime, AfterValidator(_plausible_year)] | None = Field(
        default=None, description="When the resident answered the call (default now; with a UTC offset)")


class CallbackOut(BaseModel):
    id: str
    demand_id: str
    resolved: bool
    satisfaction: Feedback
    source: CallbackSourceName
    called_at: datetime
    recorded_by: str | None = Field(description="The account that recorded it (shown to staff only)")
    recorded_by_role: str
    recorded_at: datetime
    counted: bool = Field(description="Whether the scored rates count it (the resident's own answers)")


class RankedAreaOut(BaseModel):
    area_code: str
    name: str
    rank: int | None = Field(description="1 = best; areas tied share a rank; null without a score")
    score: float | None = Field(description="Composite score 0-100 (RATE_WEIGHTS over the scored rates)")
    under_remediation: bool = Field(description="Among the areas under remediation (RANKING_REMEDIATION)")
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    declared_resolution_rate: float | None = Field(description="Staff-declared, not scored")
    recorded_satisfaction_rate: float | None = Field(description="Staff entries included, not scored")
    submitted: int
    imported: int = Field(description="Imported demands: in no figure")


class RankingOut(BaseModel):
    level: Literal["subdistrict", "community"]
    under: str
    month: str
    period_start: datetime
    period_end: datetime
    weights: dict[str, float]
    remediation: str = Field(description="The rule: bottom=N (ties included) or below=S")
    areas: list[RankedAreaOut]


class ProblemCategoryOut(BaseModel):
    category: str
    count: int = Field(description="Demands of the category submitted in the month (imports left out)")


class MonthlyProblemOut(BaseModel):
    area_code: str
    name: str
    problem: str | None = Field(description="The month's problem (每月一题): the most recurring category")
    categories: list[ProblemCategoryOut]


class MonthlyProblemsOut(BaseModel):
    level: Literal["subdistrict", "community"]
    under: str
    month: str
    period_start: datetime
    period_end: datetime
    areas: list[MonthlyProblemOut]


class ProjectRequestIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"month": "2026-11", "area_code": "CY01001", "category": "elderly_care", "summary": "老旧小区加装电梯"}]})

    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month of the problem, YYYY-MM")
    area_code: str = Field(pattern=CODE_PATTERN)
    category: str = Field(pattern=CATEGORY_PATTERN)
    summary: str | None = Field(default=None, max_length=200, description="The project's working title")


class ProjectRequestOut(BaseModel):
    decision_record_id: str = Field(description="The closed decision record (a meeting with one request_project "
                                                "decision) whose meeting.closed project-matching opens a project from")
    area_code: str
    month: str
    category: str
    linked_demands: int
