"""The guarantee network's refusals, the one place they are defined (its parent service's are in
`project_matching.domain.errors`). The use cases turn each into a problem kind
(`project_matching.use_cases.errors`)."""

from __future__ import annotations

from project_matching.guarantee.domain.money import yuan


class FundRuleViolation(Exception):
    """An activity-fund entry the rules refuse (year, amount, booking date, purpose)."""


class InsufficientFunds(Exception):
    """A spending that would take a fund account's balance below zero."""

    def __init__(self, balance_fen: int, amount_fen: int) -> None:
        super().__init__(f"The balance is {yuan(balance_fen)} yuan; spending {yuan(amount_fen)} yuan would take it "
                         f"below zero.")
        self.balance_fen = balance_fen
        self.amount_fen = amount_fen


class WeightRuleViolation(Exception):
    """Scorecard weights the rules refuse (subject kind, inputs that do not apply, bounds, sum)."""


class VenueRuleViolation(Exception):
    """A venue or booking the rules refuse (opening hours, capacity, categories, booking times)."""
