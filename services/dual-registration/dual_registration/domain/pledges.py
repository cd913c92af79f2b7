"""The pledge cycle of members without office (承诺—践诺—评诺): once a year a member, or a party
organization, pledges items in a community (承诺), notes progress until it is done (践诺), and the
community assesses it with a rating and a comment (评诺). Pledges are listed publicly (公开), the
member masked."""

from __future__ import annotations

from enum import StrEnum

from dual_registration.domain.errors import InvalidPledge
from yizhou.state_machine import StateMachine

MAX_ITEMS = 20
MAX_ITEM_LENGTH = 200


class PledgerKind(StrEnum):
    MEMBER = "member"
    ORGANIZATION = "organization"


class PledgeState(StrEnum):
    PLEDGED = "pledged"      # 承诺: made, being fulfilled
    FULFILLED = "fulfilled"  # 践诺: the pledger says it is done
    ASSESSED = "assessed"    # 评诺: the community has rated it; closed


class PledgeRating(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


# A pledge not kept is assessed too (at the year's end, poorly): assessment needs no fulfilment first.
PLEDGE_MACHINE: StateMachine[PledgeState] = StateMachine("pledge", {
    PledgeState.PLEDGED: frozenset({PledgeState.FULFILLED, PledgeState.ASSESSED}),
    PledgeState.FULFILLED: frozenset({PledgeState.ASSESSED}),
})


def normalize_items(items: list[str]) -> list[str]:
    """Trimmed, blank and repeated items dropped, order kept; at least one, at most MAX_ITEMS."""
    seen: dict[str, None] = {}
    for item in items:
        cleaned = " ".join(item.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    if not seen:
        raise InvalidPledge("A pledge names at least one item.")
    if len(seen) > MAX_ITEMS or any(len(i) > MAX_ITEM_LENGTH for i in seen):
        raise InvalidPledge(f"A pledge has at most {MAX_ITEMS} items of at most {MAX_ITEM_LENGTH} characters.")
    return list(seen)


def check_progress(state: PledgeState, done: bool) -> PledgeState | None:
    """A progress note is taken until the pledge is assessed; `done` fulfils it. Returns the state to
    move to (None: it stays)."""
    if done:
        PLEDGE_MACHINE.check(state, PledgeState.FULFILLED)
        return PledgeState.FULFILLED
    if state == PledgeState.ASSESSED:
        PLEDGE_MACHINE.check(state, PledgeState.PLEDGED)  # raises: an assessed pledge is closed
    return None
