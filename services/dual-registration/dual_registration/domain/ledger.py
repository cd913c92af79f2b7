"""The hours ledger, double-entry (as time banks such as TimeOverflow keep it): every confirmed
service posts one transfer whose debit and credit movements balance. The provider's account is
credited with the minutes served; the community's account is debited with the minutes received.
Every total is a sum of movements, so each figure traces back to confirmed services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dual_registration.domain.errors import InvalidHours, NegativeBalance, UnbalancedPosting


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class AccountKind(StrEnum):
    MEMBER = "member"
    UNIT = "unit"
    COMMUNITY = "community"


# Provider accounts grow with credits (hours served); community accounts with debits (hours received).
NORMAL_SIDE = {AccountKind.MEMBER: Side.CREDIT, AccountKind.UNIT: Side.CREDIT, AccountKind.COMMUNITY: Side.DEBIT}


def account(kind: AccountKind | str, ident: str) -> str:
    return f"{AccountKind(kind).value}:{ident}"


def kind_of(account_name: str) -> AccountKind:
    return AccountKind(account_name.split(":", 1)[0])


@dataclass(frozen=True)
class Movement:
    account: str
    side: Side
    minutes: int


@dataclass(frozen=True)
class Transfer:
    service_id: str
    movements: tuple[Movement, ...]

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.movements if m.side == Side.DEBIT)


def signed(movement: Movement) -> int:
    """The movement's effect on its account's balance (positive on the account's normal side)."""
    return movement.minutes if NORMAL_SIDE[kind_of(movement.account)] == movement.side else -movement.minutes


def service_transfer(service_id: str, provider_kind: str, provider_id: str, community_code: str, minutes: int) -> Transfer:
    if minutes <= 0:
        raise InvalidHours("Only positive minutes are posted.")
    return Transfer(service_id, (
        Movement(account(AccountKind.COMMUNITY, community_code), Side.DEBIT, minutes),
        Movement(account(provider_kind, provider_id), Side.CREDIT, minutes),
    ))


def check_posting(transfer: Transfer, balances: Mapping[str, int]) -> dict[str, int]:
    """Validates a transfer against the current balances of its accounts; returns the new balances."""
    if any(m.minutes <= 0 for m in transfer.movements):
        raise UnbalancedPosting("Every movement carries positive minutes; the side gives the direction.")
    debits = sum(m.minutes for m in transfer.movements if m.side == Side.DEBIT)
    credits = sum(m.minutes for m in transfer.movements if m.side == Side.CREDIT)
    if debits != credits or not debits:
        raise UnbalancedPosting(f"Debits ({debits}) and credits ({credits}) of a transfer must be equal and non-zero.")
    after = dict(balances)
    for movement in transfer.movements:
        after[movement.account] = after.get(movement.account, 0) + signed(movement)
    negative = sorted(a for a in after if after[a] < 0)
    if negative:
        raise NegativeBalance(f"The posting would leave {', '.join(negative)} below zero.")
    return after


class Ledger:
    """An in-memory ledger with the same rules the store applies (used by the property tests and
    to reason about a batch before it is written)."""

    def __init__(self) -> None:
        self.transfers: list[Transfer] = []
        self.balances: dict[str, int] = {}
        self._posted: set[str] = set()

    def post(self, transfer: Transfer) -> None:
        if transfer.service_id in self._posted:
            raise UnbalancedPosting(f"Service {transfer.service_id} is already posted.")
        self.balances = check_posting(transfer, self.balances)
        self.transfers.append(transfer)
        self._posted.add(transfer.service_id)

    def balance(self, account_name: str) -> int:
        return sum(signed(m) for t in self.transfers for m in t.movements if m.account == account_name)
