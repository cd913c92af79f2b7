"""Hub organizations (枢纽型组织): the trade union, youth league, women's federation and other hub
social organizations that a party organization leads, and the five joint actions of 一统五联 that
tie a hub to a party organization or a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from org_registry.domain.errors import DuplicateJointAction, OrganizationDissolved, RegistryRuleViolation
from org_registry.domain.organization import Organization, normalize_text


class HubKind(StrEnum):
    TRADE_UNION = "trade_union"                                        # 工会
    YOUTH_LEAGUE = "youth_league"                                      # 共青团
    WOMENS_FEDERATION = "womens_federation"                            # 妇联
    OTHER_HUB_SOCIAL_ORGANIZATION = "other_hub_social_organization"    # 其他枢纽型社会组织


class JointActionKind(StrEnum):
    """The five links of 一统五联: the party leads (一统) and the hub joins in five ways (五联)."""

    JOINT_BUILDING = "joint_building"    # 组织联建
    JOINT_WORK = "joint_work"            # 工作联动
    JOINT_TEAM = "joint_team"            # 队伍联管
    JOINT_SERVICE = "joint_service"      # 服务联办
    SHARED_SUPPORT = "shared_support"    # 保障联享


class PartnerKind(StrEnum):
    ORGANIZATION = "organization"
    UNIT = "unit"


@dataclass(frozen=True)
class Hub:
    id: str
    name: str
    kind: HubKind
    area_code: str
    leading_organization_id: str
    member_count: int
    party_member_count: int
    founded_on: date | None = None


@dataclass(frozen=True)
class JointAction:
    id: str
    hub_id: str
    kind: JointActionKind
    partner_kind: PartnerKind
    partner_id: str
    started_on: date
    note: str | None = None


def check_member_counts(member_count: int, party_member_count: int) -> None:
    if member_count < 0 or party_member_count < 0:
        raise RegistryRuleViolation("Member counts cannot be negative.")
    if party_member_count > member_count:
        raise RegistryRuleViolation(f"{party_member_count} party members among {member_count} members: "
                                    "party members are counted among the hub's members.")


def check_leader(leader: Organization) -> None:
    """Only an active party organization takes the lead of a hub; a dissolved one leads nothing new."""
    if leader.dissolved:
        raise OrganizationDissolved(f"Organization '{leader.id}' was dissolved on {leader.dissolved_on} "
                                    "and leads no hub.")


def new_hub(hub_id: str, *, name: str, kind: HubKind, area_code: str, leader: Organization, member_count: int,
            party_member_count: int, founded_on: date | None = None) -> Hub:
    name = normalize_text(name, "A hub's name")
    check_member_counts(member_count, party_member_count)
    check_leader(leader)
    return Hub(id=hub_id, name=name, kind=kind, area_code=area_code, leading_organization_id=leader.id,
               member_count=member_count, party_member_count=party_member_count, founded_on=founded_on)


def normalize_note(note: str | None) -> str | None:
    cleaned = " ".join(note.split()) if note else ""
    return cleaned or None


def record_joint_action(action_id: str, hub: Hub, *, kind: JointActionKind, partner_kind: PartnerKind,
                        partner_id: str, partner_dissolved: bool, started_on: date, note: str | None,
                        existing: list[JointAction]) -> JointAction:
    """One link of each kind per hub and partner; a dissolved organization takes no new joint action."""
    if partner_dissolved:
        raise OrganizationDissolved(f"Organization '{partner_id}' is dissolved and takes no new joint action.")
    if hub.founded_on is not None and started_on < hub.founded_on:
        raise RegistryRuleViolation(f"The joint action starts on {started_on}, before the hub was founded "
                                    f"({hub.founded_on}).")
    for action in existing:
        if (action.kind, action.partner_kind, action.partner_id) == (kind, partner_kind, partner_id):
            raise DuplicateJointAction(f"Hub '{hub.id}' already has a {kind.value} link with {partner_kind.value} "
                                       f"'{partner_id}' ('{action.id}').")
    return JointAction(id=action_id, hub_id=hub.id, kind=kind, partner_kind=partner_kind, partner_id=partner_id,
                       started_on=started_on, note=normalize_note(note))
