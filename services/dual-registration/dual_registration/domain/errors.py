"""The domain's refusals; each names the problem kind the API answers with."""

from __future__ import annotations


class RuleViolation(Exception):
    """A request the rules do not allow; `kind` is the problem slug, `status` its HTTP status."""

    kind = "rule-violated"


class Duplicate(RuleViolation):
    kind = "duplicate"


class NotEligible(RuleViolation):
    kind = "not-eligible"


class NotInCommunity(RuleViolation):
    kind = "not-in-community"


class CapacityReached(RuleViolation):
    kind = "capacity-reached"


class TargetNotClaimable(RuleViolation):
    kind = "target-not-claimable"


class InvalidHours(RuleViolation):
    kind = "invalid-hours"


class OverlappingSession(RuleViolation):
    kind = "overlapping-session"


class SelfConfirmation(RuleViolation):
    kind = "self-confirmation"


class NotTheServedResident(RuleViolation):
    kind = "not-the-served-resident"


class ResidentConfirmationCap(RuleViolation):
    kind = "resident-confirmation-cap"


class CheckinCodeUsed(RuleViolation):
    kind = "checkin-code-used"


class CheckinCodeExpired(RuleViolation):
    kind = "checkin-code-expired"


class UnbalancedPosting(RuleViolation):
    kind = "unbalanced-posting"


class NegativeBalance(RuleViolation):
    kind = "negative-balance"


class InvalidPeriod(RuleViolation):
    kind = "invalid-period"


class NotServed(RuleViolation):
    kind = "not-served"


class ServiceNotOver(RuleViolation):
    kind = "service-not-over"


class InvalidPledge(RuleViolation):
    kind = "invalid-pledge"


# slug -> (status, title), registered with the platform's problem catalogue by the use cases.
PROBLEM_KINDS: dict[str, tuple[int, str]] = {
    "not-eligible": (422, "The registrant may not register"),
    "not-in-community": (422, "The record does not lie in a community of the axis"),
    "capacity-reached": (409, "The post or target has no free place"),
    "target-not-claimable": (409, "The target cannot be claimed in its current state"),
    "invalid-hours": (422, "Service hours must be positive and fit the session"),
    "overlapping-session": (409, "The member already has a service session at that time"),
    "self-confirmation": (403, "Nobody confirms their own service"),
    "not-the-served-resident": (403, "Only the resident who was served confirms as a resident"),
    "resident-confirmation-cap": (409, "A resident has confirmed as much of this member's service as one resident may; "
                                       "the community confirms the rest"),
    "checkin-code-used": (409, "The check-in code was already used"),
    "checkin-code-expired": (410, "The check-in code has expired"),
    "unbalanced-posting": (409, "A ledger posting must balance"),
    "negative-balance": (409, "A ledger account may not go negative"),
    "invalid-period": (422, "A period is a year ('2026') or a quarter ('2026-Q3')"),
    "not-served": (403, "Residents rate only those who served them"),
    "service-not-over": (409, "The service session has not ended yet"),
    "nothing-to-change": (409, "The change is already in effect"),
    "invalid-pledge": (422, "A pledge names between one and twenty items"),
}
