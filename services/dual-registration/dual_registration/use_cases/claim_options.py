"""A member's claim screen: the posts and projects of their community ranked so claimants spread out
(`domain.claim_ranking`), each with its fit, congestion and the reason, for the member to choose from."""

from __future__ import annotations

from typing import Any

from dual_registration.domain.claim_ranking import ClaimOption, Claimant, RankedOption, rank
from dual_registration.domain.registration import RegistrantKind
from dual_registration.store.claim_options import open_options
from dual_registration.store.read_copies import member_row
from dual_registration.store.registrations import RegistrationRepository
from yizhou.auth import AreaScope, Role, require_role
from yizhou.categories_zh import categories_for_skills_zh
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.database import Database
from yizhou.errors import NotFound

MAX_OPTIONS = 500  # per kind: a community has dozens


def skill_categories(skills: list[str]) -> frozenset[str]:
    """The service categories a member's skills speak to: category codes as written, and skills in Chinese."""
    codes = {s.strip().lower() for s in skills if s.strip().lower() in SERVICE_CATEGORIES}
    return frozenset(codes | set(categories_for_skills_zh(skills)))


async def ranked_options(db: Database, scope: AreaScope) -> tuple[list[RankedOption], dict[str, dict[str, Any]]]:
    """The caller's own options (a party member's token): their community is where they live."""
    require_role(scope, {Role.PARTY_MEMBER}, "see your claim options")
    member_id = scope.caller.subject
    async with db.sessions() as session:
        member = await member_row(session, member_id)
        if member is None or member.left or member.community_path is None:
            raise NotFound(f"No member '{member_id}' known in a community (members come from org-registry).")
        registration = await RegistrationRepository(session).approved_of(RegistrantKind.MEMBER.value, member_id)
        skills = list((registration.skills if registration is not None else None) or member.skills or [])
        rows = await open_options(session, member.community_path, MAX_OPTIONS)
    claimant = Claimant(skill_categories(skills), member.residence_area_path)
    options = [ClaimOption(r["id"], r["kind"], r["category"], r["area_path"], r["places"], r["claimed"]) for r in rows]
    return rank(claimant, options), {f"{r['kind']}:{r['id']}": r for r in rows}
