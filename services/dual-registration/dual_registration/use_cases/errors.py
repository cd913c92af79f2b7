"""dual-registration's kinds of refusal: the domain's (`dual_registration.domain.errors`), added to
the platform's problem catalogue at import, and the application errors use cases raise with them.

The app's problem handlers render them; a domain `RuleViolation` goes through
`yizhou.errors.from_rule`.
"""

from __future__ import annotations

from dual_registration.domain.errors import PROBLEM_KINDS
from yizhou.errors import ApplicationError, register_problem

for _kind, (_status, _title) in PROBLEM_KINDS.items():
    register_problem(_kind, _status, _title)


class NotEligible(ApplicationError):
    kind = "not-eligible"


class InvalidHours(ApplicationError):
    kind = "invalid-hours"


class CheckinCodeUsed(ApplicationError):
    kind = "checkin-code-used"


class NotServed(ApplicationError):
    kind = "not-served"
