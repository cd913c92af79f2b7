"""Activity funds of party organizations (活动经费): an account per organization and budget year, fed
by four sources and drawn on by spending for a project or an activity.

The balance of a year (income less spending) never goes below zero: a spending that would overdraw
is refused. Entries are never edited; money is exact integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from project_matching.guarantee.domain.errors import FundRuleViolation, InsufficientFunds

SOURCES = ("party_dues_returned", "district_allocation", "unit_contribution", "government_purchase")
PURPOSES = ("project", "activity")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Projects that may receive money: approved and later (not while still being designed or reviewed).
FUNDABLE_PROJECT_STATES = ("approved", "implementing", "completed", "evaluated")


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FundRuleViolation(f"Year {year} is outside {FIRST_YEAR}-{LAST_YEAR}.")


def check_entry(*, year: int, amount_fen: int, booked_on: date) -> None:
    check_year(year)
    if amount_fen <= 0:
        raise FundRuleViolation("The amount must be positive.")
    if booked_on.year != year:
        raise FundRuleViolation(f"An entry of {year} must be booked in {year}, not on {booked_on.isoformat()}.")


def check_spending(*, purpose: str, project_id: str | None, activity: str | None) -> None:
    if purpose == "project" and not project_id:
        raise FundRuleViolation("Spending for a project names the project (project_id).")
    if purpose == "activity" and not (activity or "").strip():
        raise FundRuleViolation("Spending for an activity names the activity.")
    if purpose == "activity" and project_id:
        raise FundRuleViolation("Spending for an activity has no project_id; use purpose 'project'.")


def spend(balance_fen: int, amount_fen: int) -> int:
    """The balance after spending, or `InsufficientFunds`: the rule, also enforced atomically in storage."""
    if amount_fen > balance_fen:
        raise InsufficientFunds(balance_fen, amount_fen)
    return balance_fen - amount_fen


@dataclass(frozen=True)
class Entry:
    id: str
    organization_id: str
    year: int
    direction: str            # income | spending
    amount_fen: int
    source: str | None        # income only
    purpose: str | None       # spending only
    project_id: str | None
    activity: str | None
    note: str
    booked_on: date
    balance_after_fen: int


@dataclass
class Totals:
    income_by_source: dict[str, int]
    spending_by_purpose: dict[str, int]

    @property
    def income_fen(self) -> int:
        return sum(self.income_by_source.values())

    @property
    def spending_fen(self) -> int:
        return sum(self.spending_by_purpose.values())

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.spending_fen


def totals(sums: list[tuple[str, str | None, str | None, int]]) -> Totals:
    """From (direction, source, purpose, amount) sums: income per source, spending per purpose (zeros kept, so a
    statement always lists every source)."""
    income = dict.fromkeys(SOURCES, 0)
    spending = dict.fromkeys(PURPOSES, 0)
    for direction, source, purpose, amount in sums:
        if direction == "income":
            income[source] += amount
        else:
            spending[purpose] += amount
    return Totals(income, spending)
