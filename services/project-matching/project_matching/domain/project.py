"""A project through the five steps: understand demand > design > review and approve > implement >
supervise and evaluate. Money is kept in integer fen (1/100 yuan) so sums are exact.

Budget rule: spending never goes beyond the budget (the design's lines plus recorded amendments);
more money needs an amendment with a reason first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from project_matching.domain.errors import NotReady, Overspend, ProjectRuleViolation
from yizhou.state_machine import StateMachine

FUNDING_SOURCES = ("government_purchase", "social_funds", "unit_funds")


class State(StrEnum):
    UNDERSTANDING = "understanding"
    DESIGNING = "designing"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    IMPLEMENTING = "implementing"
    COMPLETED = "completed"
    EVALUATED = "evaluated"


STEP_OF = {State.UNDERSTANDING: "understand", State.DESIGNING: "design", State.IN_REVIEW: "review",
           State.REJECTED: "review", State.APPROVED: "implement", State.IMPLEMENTING: "implement",
           State.COMPLETED: "evaluate", State.EVALUATED: "evaluate"}

PROJECT_MACHINE = StateMachine("project", {
    State.UNDERSTANDING: frozenset({State.DESIGNING}),
    State.DESIGNING: frozenset({State.DESIGNING, State.IN_REVIEW}),
    State.IN_REVIEW: frozenset({State.APPROVED, State.REJECTED}),
    State.REJECTED: frozenset({State.DESIGNING}),       # revise and resubmit
    State.APPROVED: frozenset({State.IMPLEMENTING}),
    State.IMPLEMENTING: frozenset({State.COMPLETED}),
    State.COMPLETED: frozenset({State.EVALUATED}),
})


@dataclass(frozen=True)
class BudgetLine:
    line_id: str
    item: str
    amount_fen: int
    funding_source: str


@dataclass(frozen=True)
class Milestone:
    milestone_id: str
    title: str
    weight: int
    done_at: datetime | None = None


@dataclass(frozen=True)
class Review:
    reviewer: str
    score: int
    comment: str
    at: datetime


@dataclass(frozen=True)
class Spend:
    amount_fen: int
    line_id: str | None
    note: str
    at: datetime


@dataclass(frozen=True)
class Amendment:
    amount_fen: int
    reason: str
    at: datetime


@dataclass(frozen=True)
class Project:
    id: str
    title: str
    area_code: str
    area_path: str
    category: str
    state: State
    linked_demand_ids: tuple[str, ...] = ()
    origin_meeting_id: str | None = None
    goals: tuple[str, ...] = ()
    beneficiaries_planned: int = 0
    budget_lines: tuple[BudgetLine, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    reviews: tuple[Review, ...] = ()
    decision: dict | None = None
    spends: tuple[Spend, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    evaluation: dict | None = None
    version: int = 1
    extra: dict = field(default_factory=dict)

    @property
    def step(self) -> str:
        return STEP_OF[self.state]

    @property
    def budget_fen(self) -> int:
        return sum(line.amount_fen for line in self.budget_lines) + sum(a.amount_fen for a in self.amendments)

    @property
    def spent_fen(self) -> int:
        return sum(s.amount_fen for s in self.spends)

    @property
    def progress_percent(self) -> float:
        total = sum(m.weight for m in self.milestones)
        done = sum(m.weight for m in self.milestones if m.done_at is not None)
        return round(100 * done / total, 2) if total else 0.0

    @property
    def average_score(self) -> float | None:
        return round(sum(r.score for r in self.reviews) / len(self.reviews), 2) if self.reviews else None

    def funding_sources(self) -> list[str]:
        return sorted({line.funding_source for line in self.budget_lines})

    def _to(self, target: State) -> Project:
        PROJECT_MACHINE.check(self.state, target)
        return replace(self, state=target)

    # --- steps ------------------------------------------------------------------------------------

    def design(self, *, goals: list[str], linked_demand_ids: list[str], beneficiaries_planned: int,
               budget_lines: list[tuple[str, int, str]], milestones: list[tuple[str, int]]) -> Project:
        """Records (or revises) the design; budget lines are (item, amount in fen, funding source)."""
        project = self._to(State.DESIGNING)
        if not budget_lines:
            raise ProjectRuleViolation("A design needs at least one budget line.")
        if not milestones:
            raise ProjectRuleViolation("A design needs at least one milestone.")
        for _, amount, source in budget_lines:
            if amount <= 0:
                raise ProjectRuleViolation("Budget line amounts must be positive.")
            if source not in FUNDING_SOURCES:
                raise ProjectRuleViolation(f"Unknown funding source '{source}'; use one of {', '.join(FUNDING_SOURCES)}.")
        if any(weight <= 0 for _, weight in milestones):
            raise ProjectRuleViolation("Milestone weights must be positive.")
        # Demands linked when the project was opened (e.g. by a meeting) stay linked; the design adds more.
        linked = tuple(dict.fromkeys([*self.linked_demand_ids, *linked_demand_ids]))
        return replace(project, goals=tuple(goals), linked_demand_ids=linked,
                       beneficiaries_planned=beneficiaries_planned,
                       budget_lines=tuple(BudgetLine(f"L{k + 1}", item, amount, source)
                                          for k, (item, amount, source) in enumerate(budget_lines)),
                       milestones=tuple(Milestone(f"M{k + 1}", title, weight)
                                        for k, (title, weight) in enumerate(milestones)))

    def submit(self) -> Project:
        # Each submission is reviewed afresh; the last decision stays on record until the next one.
        return replace(self._to(State.IN_REVIEW), reviews=())

    def review(self, reviewer: str, score: int, comment: str, at: datetime) -> Project:
        if self.state != State.IN_REVIEW:
            raise NotReady(f"Reviews are taken while the project is in review, not '{self.state.value}'.")
        if any(r.reviewer == reviewer for r in self.reviews):
            raise ProjectRuleViolation(f"'{reviewer}' has already reviewed this project.")
        return replace(self, reviews=(*self.reviews, Review(reviewer, score, comment, at)))

    def decide(self, approve: bool, reasons: list[str], decided_by: str, at: datetime) -> Project:
        target = State.APPROVED if approve else State.REJECTED
        project = self._to(target)
        if approve and not self.reviews:
            raise NotReady("A project is approved only after at least one review.")
        return replace(project, decision={"decision": "approve" if approve else "reject", "reasons": reasons,
                                          "decided_by": decided_by, "at": at.isoformat(),
                                          "average_score": self.average_score})

    def start(self) -> Project:
        return self._to(State.IMPLEMENTING)

    def _implementing(self, what: str) -> None:
        if self.state != State.IMPLEMENTING:
            raise NotReady(f"{what} only while the project is implementing, not '{self.state.value}'.")

    def complete_milestone(self, milestone_id: str, at: datetime) -> Project:
        self._implementing("Milestones are completed")
        if not any(m.milestone_id == milestone_id for m in self.milestones):
            raise KeyError(milestone_id)
        if any(m.milestone_id == milestone_id and m.done_at for m in self.milestones):
            raise ProjectRuleViolation(f"Milestone '{milestone_id}' is already done.")
        return replace(self, milestones=tuple(replace(m, done_at=at) if m.milestone_id == milestone_id else m
                                              for m in self.milestones))

    def spend(self, amount_fen: int, line_id: str | None, note: str, at: datetime) -> Project:
        self._implementing("Money is spent")
        if amount_fen <= 0:
            raise ProjectRuleViolation("A spend must be positive.")
        if line_id is not None and not any(b.line_id == line_id for b in self.budget_lines):
            raise ProjectRuleViolation(f"No budget line '{line_id}'.")
        if self.spent_fen + amount_fen > self.budget_fen:
            raise Overspend(f"Spending {amount_fen / 100:.2f} yuan would bring the total to "
                            f"{(self.spent_fen + amount_fen) / 100:.2f}, over the budget of {self.budget_fen / 100:.2f}; "
                            "record a budget amendment first.")
        return replace(self, spends=(*self.spends, Spend(amount_fen, line_id, note, at)))

    def amend(self, amount_fen: int, reason: str, at: datetime) -> Project:
        if self.state not in (State.APPROVED, State.IMPLEMENTING):
            raise NotReady(f"The budget is amended after approval, not in '{self.state.value}'.")
        if amount_fen == 0:
            raise ProjectRuleViolation("An amendment changes the budget by a non-zero amount.")
        if self.budget_fen + amount_fen < self.spent_fen:
            raise Overspend("The amended budget would be below what is already spent.")
        return replace(self, amendments=(*self.amendments, Amendment(amount_fen, reason, at)))

    def complete(self) -> Project:
        project = self._to(State.COMPLETED)
        if self.progress_percent < 100:
            raise NotReady(f"Progress is {self.progress_percent}%; every milestone must be done first.")
        return project

    def evaluate(self, outcome: str, beneficiaries_reached: int, satisfaction_percent: float, at: datetime) -> Project:
        project = self._to(State.EVALUATED)
        return replace(project, evaluation={"outcome": outcome, "beneficiaries_reached": beneficiaries_reached,
                                            "satisfaction_percent": satisfaction_percent, "at": at.isoformat()})


def new_project(*, title: str, area_code: str, area_path: str, category: str, linked_demand_ids: list[str],
                origin_meeting_id: str | None = None, project_id: str | None = None) -> Project:
    return Project(id=project_id or str(uuid.uuid4()), title=title, area_code=area_code, area_path=area_path,
                   category=category, state=State.UNDERSTANDING, linked_demand_ids=tuple(dict.fromkeys(linked_demand_ids)),
                   origin_meeting_id=origin_meeting_id)
