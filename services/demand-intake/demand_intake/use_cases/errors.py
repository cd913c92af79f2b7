"""demand-intake's own kind of refusal, added to the platform's problem catalogue at import.

Use cases raise it (or `yizhou.errors`' shared ones); the app's problem handlers render it.
"""

from __future__ import annotations

from yizhou.errors import ApplicationError, register_problem


class DemandRuleBroken(ApplicationError):
    """A request that breaks a rule of demands (the domain's `DemandRuleViolation`, or a use case's own check)."""

    kind = register_problem("demand-rule", 422, "The request breaks a rule of demands")
