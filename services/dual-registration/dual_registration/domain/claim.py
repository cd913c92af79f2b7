"""Claims (认领): members claim posts, projects or demands; units claim projects. A claim is
approved by the community, limited by the target's capacity, and moves through an explicit state
machine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dual_registration.domain.community import on_same_branch
from dual_registration.domain.errors import CapacityReached, Duplicate, NotEligible, NotInCommunity, TargetNotClaimable
from yizhou.state_machine import StateMachine


class ClaimState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the claimant took the request back before a decision
    COMPLETED = "completed"  # the claimed work is done
    RELEASED = "released"    # an approved claim given up; the place is free again


CLAIM_MACHINE: StateMachine[ClaimState] = StateMachine("claim", {
    ClaimState.REQUESTED: frozenset({ClaimState.APPROVED, ClaimState.REJECTED, ClaimState.WITHDRAWN}),
    ClaimState.APPROVED: frozenset({ClaimState.COMPLETED, ClaimState.RELEASED}),
})

# States that hold a place of the target's capacity.
HOLDING = (ClaimState.REQUESTED, ClaimState.APPROVED)


class TargetKind(StrEnum):
    POST = "post"
    PROJECT = "project"
    DEMAND = "demand"


class PostKind(StrEnum):
    VOLUNTEER_POST = "volunteer_post"            # e.g. the "little red caps" (小红帽)
    RESPONSIBILITY_AREA = "responsibility_area"  # 党员责任区: a block or grid a member looks after
    HOUSEHOLDS = "households"                    # 党员联系户: a set of households to look after
    NO_OFFICE = "no_office"                      # 无职党员设岗定责: a post with duties for members without office


# Which claimant kinds may claim which targets.
CLAIMABLE_BY = {"member": frozenset(TargetKind), "unit": frozenset({TargetKind.PROJECT})}
OPEN_DEMAND_STATES = frozenset({"submitted", "accepted", "assigned", "in_progress", "reopened"})
OPEN_PROJECT_EVENTS = frozenset({"project.approved", "project.started"})
DEMAND_CAPACITY = 1  # one member takes a resident's demand on; more would be a project


@dataclass(frozen=True)
class ClaimTarget:
    kind: TargetKind
    id: str
    area_path: str
    capacity: int | None  # None: no limit
    open: bool
    why_closed: str = ""


def check_claim(claimant_kind: str, claimant_id: str, registration_community_path: str, target: ClaimTarget,
                holding_claims_of_claimant: int, approved_on_target: int) -> None:
    """Rules for a new claim request."""
    if target.kind not in CLAIMABLE_BY[claimant_kind]:
        raise NotEligible(f"A {claimant_kind} may claim only: {', '.join(sorted(CLAIMABLE_BY[claimant_kind]))}.")
    if not target.open:
        raise TargetNotClaimable(f"The {target.kind.value} '{target.id}' cannot be claimed: {target.why_closed}.")
    if not on_same_branch(target.area_path, registration_community_path):
        raise NotInCommunity(f"The {target.kind.value} '{target.id}' is not in or above the claimant's "
                             "registration community.")
    if holding_claims_of_claimant:
        raise Duplicate(f"The {claimant_kind} '{claimant_id}' already holds a claim on this {target.kind.value}.")
    check_capacity(target, approved_on_target)


@dataclass(frozen=True)
class ResidentMember:
    """A party member as org-registry last described them (the member copy), registered or not."""

    member_id: str
    residence_community_path: str | None
    left: bool


def check_no_office_claim(member: ResidentMember, post_kind: str, target: ClaimTarget,
                          holding_claims_of_claimant: int, approved_on_target: int) -> None:
    """A member claims without a dual registration only a post for members without office, and only
    in the community where they live: retired and mobile members hold no registration (that is for
    in-service members), so the member copy's residence is what places them. Every other post kind
    keeps needing an approved registration (`check_claim`)."""
    if post_kind != PostKind.NO_OFFICE:
        raise NotEligible(f"Only posts for members without office ({PostKind.NO_OFFICE.value}) are claimed without "
                          "a registration; claim this post with your approved registration.")
    if member.left:
        raise NotEligible(f"Member '{member.member_id}' has left the party organization.")
    if not target.open:
        raise TargetNotClaimable(f"The post '{target.id}' cannot be claimed: {target.why_closed}.")
    if member.residence_community_path is None or not target.area_path.startswith(member.residence_community_path):
        raise NotInCommunity(f"The post '{target.id}' is not in the community where member '{member.member_id}' lives.")
    if holding_claims_of_claimant:
        raise Duplicate(f"The member '{member.member_id}' already holds a claim on this post.")
    check_capacity(target, approved_on_target)


def check_capacity(target: ClaimTarget, approved_on_target: int) -> None:
    if target.capacity is not None and approved_on_target >= target.capacity:
        raise CapacityReached(f"The {target.kind.value} '{target.id}' is full "
                              f"({approved_on_target} of {target.capacity} places taken).")
