"""Explicit state machines: a table of legal transitions, and a refusal that names the current
state and the allowed next ones (rendered as 409 problem+json by `as_problem`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from yizhou.errors import TransitionNotAllowed

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Exception):
    def __init__(self, entity: str, current: StrEnum, target: StrEnum, allowed: list[str]) -> None:
        super().__init__(f"A {entity} in state '{current.value}' cannot go to '{target.value}'; "
                         f"allowed: {', '.join(allowed) or 'none (final state)'}.")
        self.entity = entity
        self.current = current.value
        self.target = target.value
        self.allowed = allowed


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """`transitions` maps each state to the states it may go to; a state absent from it is final."""

    entity: str
    transitions: Mapping[S, frozenset[S]]

    def allowed_from(self, state: S) -> list[str]:
        return sorted(s.value for s in self.transitions.get(state, frozenset()))

    def can(self, current: S, target: S) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: S, target: S) -> S:
        if not self.can(current, target):
            raise IllegalTransition(self.entity, current, target, self.allowed_from(current))
        return target

    def pairs(self) -> list[tuple[S, S]]:
        """Every legal (from, to) pair: for docs and exhaustive tests."""
        return [(a, b) for a, targets in self.transitions.items() for b in sorted(targets)]


def as_problem(exc: IllegalTransition):
    """The application error (409 `illegal-transition`) for an illegal transition."""
    return TransitionNotAllowed(str(exc), current_state=exc.current, requested_state=exc.target,
                                allowed_states=exc.allowed)
