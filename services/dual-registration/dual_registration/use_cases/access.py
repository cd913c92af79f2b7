"""Who may do what, and the translation of the domain's refusals into problems.

A `party_member` token's subject is the member's id (as org-registry issues it); a `resident`
token's subject is the resident's account id; a `partner` token of a unit's party organization has
the organization's id as subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dual_registration.domain.errors import RuleViolation
from yizhou.auth import AreaScope, Role, require_role
from yizhou.errors import ApplicationError, NotFound, OutOfScope, from_rule
from yizhou.state_machine import IllegalTransition, as_problem


# Staff who decide in their community (approve, confirm, evaluate, issue codes).
DECIDERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})


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
