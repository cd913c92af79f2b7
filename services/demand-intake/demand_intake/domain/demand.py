"""A resident's demand: where it came from, where it is, and the states it may go through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from demand_intake.domain.errors import DemandRuleViolation
from yizhou.state_machine import StateMachine


class Channel(StrEnum):
    WALK_AROUND = "walk_around"              # 走动式工作法: cadres and members walking the grid
    MUST_VISIT = "must_visit"                # 十必访: visits to priority households
    ONLINE = "online"                        # 网络问需
    HOTLINE = "hotline"                      # transferred from the city hotline
    RECEPTION_ROOM = "reception_room"        # 党员接待室 / 民愿接待室
    HEARING_BOARD = "hearing_board"          # community hearings and message boards
    DELIBERATION_MEETING = "deliberation_meeting"


# Channels a resident uses alone; every other channel is staff or a member entering for a resident.
RESIDENT_CHANNELS = frozenset({Channel.ONLINE, Channel.HEARING_BOARD})


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"


class PriorityHousehold(StrEnum):
    ELDERLY_ALONE = "elderly_alone"
    DISABLED = "disabled"
    LOW_INCOME = "low_income"
    OTHER = "other"


class State(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REOPENED = "reopened"
    MERGED = "merged"


class Feedback(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


FINAL_STATES = frozenset({State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED})
# Being worked on by someone: where escalation and whistle dispatch make sense.
WORKING_STATES = frozenset({State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED})

DEMAND_MACHINE: StateMachine[State] = StateMachine("demand", {
    State.SUBMITTED: frozenset({State.ACCEPTED, State.REJECTED, State.WITHDRAWN, State.MERGED}),
    # Accepted may be resolved on the spot (a walk-around visit often settles it there and then).
    State.ACCEPTED: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.RESOLVED, State.WITHDRAWN, State.MERGED}),
    State.ASSIGNED: frozenset({State.IN_PROGRESS, State.RESOLVED, State.WITHDRAWN, State.MERGED}),
    State.IN_PROGRESS: frozenset({State.RESOLVED, State.WITHDRAWN}),
    # Resolved waits for the resident: closed with feedback or a recorded attempt, or reopened.
    State.RESOLVED: frozenset({State.CLOSED, State.REOPENED}),
    State.REOPENED: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.RESOLVED, State.WITHDRAWN}),
})

@dataclass(frozen=True)
class Resident:
    """Who the demand is for. Personal data: masked for callers outside the owning area, never in events."""

    name: str | None = None
    phone: str | None = None
    anonymous: bool = False


@dataclass
class Demand:
    id: str
    channel: Channel
    category: str
    urgency: Urgency
    description: str
    area_code: str
    area_path: str
    area_level: str
    resident: Resident
    entered_by: str
    entered_by_role: str
    submitted_at: datetime
    state: State = State.SUBMITTED
    resident_subject: str | None = None  # the resident's own login, when they submitted it themselves
    priority_household: PriorityHousehold | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    complex: bool = False
    handling_area_code: str = ""
    handling_level: str = ""
    accountable_area_code: str | None = None
    first_receiver: str | None = None
    assignee: str | None = None
    assignee_unit_id: str | None = None   # when the assignee is a unit registered in org-registry
    me_too_count: int = 0
    merged_into: str | None = None
    feedback: Feedback | None = None
    contact_attempted_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1
    history: list[tuple[State, State]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.handling_area_code:
            self.handling_area_code, self.handling_level = self.area_code, self.area_level

    @property
    def entered_on_behalf(self) -> bool:
        return self.resident_subject is None or self.resident_subject != self.entered_by

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    def move_to(self, target: State, now: datetime) -> State:
        """Checks the machine and stamps the times the rates count on; returns the previous state."""
        previous = self.state
        DEMAND_MACHINE.check(self.state, target)
        self.state = target
        if target in (State.ACCEPTED, State.REJECTED) and self.responded_at is None:
            self.responded_at = now
        if target == State.RESOLVED:
            self.resolved_at = now
        if target == State.REOPENED:
            self.resolved_at = None
        if target == State.CLOSED:
            self.closed_at = now
        self.updated_at = now
        self.history.append((previous, target))
        return previous

    def accept(self, receiver: str, receiver_area: str, now: datetime, *, complex_case: bool = False) -> None:
        self.move_to(State.ACCEPTED, now)
        # The first receiver stays accountable whatever happens later (escalation, whistle dispatch).
        if self.first_receiver is None:
            self.first_receiver, self.accountable_area_code = receiver, receiver_area
        self.complex = self.complex or complex_case

    def assign(self, assignee: str, now: datetime, *, unit_id: str | None = None) -> None:
        """To a unit registered in org-registry (`unit_id`; its rates then count by that id) or to any
        department or team by name."""
        if not assignee.strip():
            raise DemandRuleViolation("An assignment names who handles the demand.")
        self.move_to(State.ASSIGNED, now)
        self.assignee, self.assignee_unit_id = assignee.strip(), unit_id

    def close(self, now: datetime, *, feedback: Feedback | None, contact_attempted: bool) -> State:
        """Closing needs the resident's word or a recorded attempt to reach them; a dissatisfied
        resident reopens the demand instead."""
        if feedback is None and not contact_attempted:
            raise DemandRuleViolation("Closing needs the resident's feedback or a recorded contact attempt.")
        if feedback is not None:
            self.feedback = feedback
        if contact_attempted:
            self.contact_attempted_at = now
        target = State.REOPENED if feedback == Feedback.DISSATISFIED else State.CLOSED
        self.move_to(target, now)
        return target

    @property
    def people_count(self) -> int:
        """Everyone behind the demand: the resident it was filed for, and each person who said "me too"
        or whose duplicate was merged into it (`me_too_count` counts only those others)."""
        return 1 + self.me_too_count

    def merge_into(self, target: Demand, now: datetime, *, joining: int) -> None:
        """`joining`: how many people behind this duplicate are new to `target` (`people_joining`)."""
        if target.id == self.id:
            raise DemandRuleViolation("A demand cannot be merged into itself.")
        if not target.is_open or target.state == State.RESOLVED:
            raise DemandRuleViolation(f"Demand {target.id} is {target.state.value}; merge into an open demand.")
        self.move_to(State.MERGED, now)
        self.merged_into = target.id
        # Everyone who asked for the duplicate is counted on the demand that goes on, each person once.
        target.me_too_count += joining
        target.updated_at = now


def people_joining(source: Demand, source_voices: set[str], target: Demand,
                   target_voices: set[str]) -> tuple[set[str], int]:
    """Who a merge of `source` into `target` adds to the people behind `target`: the logins new to it
    (`*_voices` are the logins that said "me too" on each), and how many people without a login (a
    resident whose demand staff entered, on `source` or on demands merged into it before). A person
    behind both demands (the same resident filing twice, or saying "me too" on both) counts once."""
    behind_target = target_voices | ({target.resident_subject} - {None})
    behind_source = source_voices | ({source.resident_subject} - {None})
    # Counted on the source but not among its logins: people who can only be counted, not recognised.
    unnamed = max(0, source.me_too_count - len(source_voices)) + (0 if source.resident_subject else 1)
    return behind_source - behind_target, unnamed
