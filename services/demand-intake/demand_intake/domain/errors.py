"""The domain's refusals, the one place they are defined. A state change the state machines do not
allow raises `yizhou.state_machine.IllegalTransition` instead; the use cases turn both into problems
(`demand_intake.use_cases.errors`)."""

from __future__ import annotations


class DemandRuleViolation(Exception):
    """A request the demand's rules refuse (other than an illegal state change)."""


class MeetingRuleViolation(Exception):
    """A meeting record the rules refuse (attendees, minutes, agenda, decisions)."""


class BadPeriod(ValueError):
    """A rates period that is not `YYYY`, `YYYY-Qn` or `YYYY-MM`, or lies outside 2000-2100."""
