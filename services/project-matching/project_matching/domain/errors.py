"""The domain's refusals, the one place they are defined; each `kind` names the rule (and the problem kind
the API answers with). A step the project's state machine does not allow raises
`yizhou.state_machine.IllegalTransition` instead. The guarantee network's are in
`project_matching.guarantee.domain.errors`."""

from __future__ import annotations


class ProjectRuleViolation(Exception):
    """A request the project's rules refuse; `kind` is the problem slug."""

    kind = "rule-violated"


class Overspend(ProjectRuleViolation):
    kind = "over-budget"


class NotReady(ProjectRuleViolation):
    kind = "project-not-ready"


class ResourceRuleViolation(Exception):
    """A resource the rules refuse (kind, categories, capacity, place, time windows)."""

    kind = "rule-violated"
