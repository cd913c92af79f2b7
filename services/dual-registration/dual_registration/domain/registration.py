"""Dual registration (双报到): units with the community where they sit, in-service members with the
community where they live. One registration per registrant at a time: a move is a transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dual_registration.domain.community import Community, community_of
from dual_registration.domain.errors import Duplicate, NotEligible
from yizhou.state_machine import StateMachine


class RegistrantKind(StrEnum):
    UNIT = "unit"
    MEMBER = "member"


class RegistrationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"  # ended because the registrant registered elsewhere
    ENDED = "ended"


REGISTRATION_MACHINE: StateMachine[RegistrationState] = StateMachine("registration", {
    RegistrationState.PENDING: frozenset({RegistrationState.APPROVED, RegistrationState.REJECTED,
                                          RegistrationState.WITHDRAWN}),
    RegistrationState.APPROVED: frozenset({RegistrationState.TRANSFERRED, RegistrationState.ENDED}),
})

ACTIVE = (RegistrationState.PENDING, RegistrationState.APPROVED)


@dataclass(frozen=True)
class KnownUnit:
    """From org-registry's unit events."""

    unit_id: str
    area_path: str
    organization_id: str | None


@dataclass(frozen=True)
class KnownMember:
    """From org-registry's member events."""

    member_id: str
    organization_id: str | None
    residence_area_path: str
    in_service: bool
    left: bool


@dataclass(frozen=True)
class ExistingRegistration:
    id: str
    community_code: str
    state: RegistrationState


@dataclass(frozen=True)
class RegistrationPlan:
    community: Community
    transfer_from: ExistingRegistration | None


def _plan(kind: str, registrant_id: str, community: Community, existing: list[ExistingRegistration]) -> RegistrationPlan:
    pending = [r for r in existing if r.state == RegistrationState.PENDING]
    if pending:
        raise Duplicate(f"The {kind} '{registrant_id}' already has a pending registration ({pending[0].id}); "
                        "it is approved, rejected or withdrawn first.")
    approved = [r for r in existing if r.state == RegistrationState.APPROVED]
    if approved and approved[0].community_code == community.code:
        raise Duplicate(f"The {kind} '{registrant_id}' is already registered with community '{community.code}'.")
    # Registered elsewhere: this request is a transfer, approved by the new community.
    return RegistrationPlan(community=community, transfer_from=approved[0] if approved else None)


def plan_unit_registration(unit: KnownUnit, existing: list[ExistingRegistration]) -> RegistrationPlan:
    """A unit registers with the community where it sits."""
    return _plan("unit", unit.unit_id, community_of(unit.area_path), existing)


def plan_member_registration(member: KnownMember, existing: list[ExistingRegistration]) -> RegistrationPlan:
    """An in-service member registers with the community of their residence (from org-registry)."""
    if member.left:
        raise NotEligible(f"Member '{member.member_id}' has left the party organization.")
    if not member.in_service:
        raise NotEligible(f"Member '{member.member_id}' is not an in-service member (在职党员); "
                          "dual registration is for in-service members.")
    return _plan("member", member.member_id, community_of(member.residence_area_path), existing)


def normalize_skills(skills: list[str]) -> list[str]:
    """Trimmed, de-duplicated, order kept: skills are matched as tags downstream."""
    seen: dict[str, None] = {}
    for skill in skills:
        cleaned = " ".join(skill.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)
