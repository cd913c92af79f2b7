"""Who may do what, and the translation of the domain's refusals into problems.

A `party_member` token's subject is the member's id (as org-registry issues it); a `resident`
token's subject is the resident's account id; a `partner` token of a unit's party organization has
the organization's id as subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dual_registration.domain.community import community_or_none
from dual_registration.domain.errors import RuleViolation
from yizhou.auth import AreaScope, Role, require_role
from yizhou.errors import ApplicationError, NotFound, OutOfScope, from_rule
from yizhou.state_machine import IllegalTransition, as_problem


# Staff who decide in their community (approve, confirm, evaluate, issue codes).
DECIDERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
# Registrants, who see only their own records: a member, a unit's party organization.
OWN_RECORD_ROLES = frozenset({Role.PARTY_MEMBER, Role.PARTNER})


def own_reach(scope: AreaScope) -> AreaScope:
    """The scope in which such a caller finds their own records. Their token may name the grid they
    live or sit in, while registrations, claims and services belong to the community around it: a
    grid token reaches that community, for their own records only (each check still matches the
    subject). Staff scopes are unchanged."""
    if scope.caller.role not in OWN_RECORD_ROLES:
        return scope
    community = community_or_none(scope.path)
    if community is None or community.path == scope.path:
        return scope
    return AreaScope(scope.caller, community.path)


@contextmanager
def rules() -> Iterator[None]:
    """Domain refusals and illegal transitions become problem+json answers."""
    try:
        yield
    except RuleViolation as exc:
        raise from_rule(exc) from None
    except IllegalTransition as exc:
        raise as_problem(exc) from None


def not_found(what: str, ident: str) -> ApplicationError:
    # Outside the scope answers like unknown, so other areas' records are not disclosed.
    return NotFound(f"No {what} '{ident}' in your scope.")


def require_in_scope(scope: AreaScope, path: str, what: str, ident: str) -> None:
    if not scope.covers(path):
        raise not_found(what, ident)


def is_decider_for(scope: AreaScope, community_path: str) -> bool:
    return scope.caller.role in DECIDERS and scope.covers(community_path)


def require_decider(scope: AreaScope, community_path: str, doing: str) -> None:
    require_role(scope, DECIDERS, doing)
    if not scope.covers(community_path):
        raise OutOfScope(f"Only the community's own staff (or those above it) may {doing}.")
