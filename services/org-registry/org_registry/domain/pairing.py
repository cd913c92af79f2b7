"""Pairing (结对, seed 003's 双结对) in both directions: an organization with an organization (an agency with a
"two new" organization, an urban unit's with a weak village's), and a branch with a household in hardship.
Each pairing has an agreement and, per year, its joint projects and a review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from org_registry.domain.errors import RegistryRuleViolation


class PairingKind(StrEnum):
    ORGANIZATIONS = "organizations"  # 组织结对
    HOUSEHOLD = "household"          # 支部结对困难家庭


class Hardship(StrEnum):
    LOW_INCOME = "low_income"            # 低保、低收入
    DISABILITY = "disability"            # 残疾
    ELDERLY_ALONE = "elderly_alone"      # 独居老人
    SERIOUS_ILLNESS = "serious_illness"  # 大病
    OTHER = "other"


class Rating(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True)
class Household:
    """A household in hardship: personal data (the head's name, phone, address) for the staff who own it."""

    head_name: str
    phone: str | None
    address: str
    hardship: Hardship


def check_organizations(first_id: str, second_id: str, first_dissolved: bool, second_dissolved: bool) -> None:
    if first_id == second_id:
        raise RegistryRuleViolation("An organization pairs with another organization, not with itself.")
    if first_dissolved or second_dissolved:
        raise RegistryRuleViolation("A dissolved organization takes no new pairing.")


def check_branch(kind: str) -> None:
    if kind != "branch":
        raise RegistryRuleViolation("A household pairs with a party branch (党支部), whose members visit it.")


def check_year(year: int, started_on: date, ended_on: date | None, today: date) -> None:
    """A year's review is of a year the pairing ran in, and not of a year still to come."""
    last = min(today.year, ended_on.year if ended_on else today.year)
    if not started_on.year <= year <= last:
        raise RegistryRuleViolation(f"The pairing ran from {started_on.year} to {last}; {year} is outside it.")


def check_end(started_on: date, ended_on: date | None, on: date) -> None:
    if ended_on is not None:
        raise RegistryRuleViolation(f"The pairing already ended on {ended_on}.")
    if on < started_on:
        raise RegistryRuleViolation(f"It cannot end ({on}) before it started ({started_on}).")
