"""Application errors: what a use case or a store raises when a request cannot be served.

No web framework here: use cases and stores import this module, and one place per process
(`yizhou.problems.install_problem_handlers`) renders every `ApplicationError` as
`application/problem+json` with the stable `type` of its kind. The catalogue of kinds is what a
client codes against, so it lives beside the errors that carry it.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_BASE = "urn:yizhou:problem:"

# kind -> (status, title): the catalogue a client can code against.
CATALOGUE: dict[str, tuple[int, str]] = {
    "validation": (422, "The request is not valid"),
    "malformed-request": (400, "The request body could not be read"),
    "unauthenticated": (401, "A valid bearer token is required"),
    "forbidden": (403, "Not allowed for this role"),
    "out-of-scope": (403, "Outside the caller's area"),
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "The request conflicts with the current state"),
    "illegal-transition": (409, "The transition is not allowed from the current state"),
    "payload-too-large": (413, "The request body is too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "rule-violated": (422, "The request breaks a domain rule"),
    "unavailable": (503, "A backing service is unavailable; retry later"),
    "internal": (500, "Internal error"),
    "duplicate": (409, "A resource with this identity exists"),
    "unknown-reference": (422, "The request refers to something that does not exist"),
    # Raised by every service that files records under an area (a read copy knows retired areas too).
    "area-retired": (409, "The area is retired"),
    "nothing-to-change": (409, "The change is already in effect"),
    # Too many requests of one token or one client address (yizhou.rate_limits); `Retry-After` says when.
    "rate-limited": (429, "Too many requests; retry later"),
    # An `after` that is not a `next_cursor` this API handed out (yizhou.list_parameters.After).
    "bad-cursor": (400, "The pagination cursor is not valid"),
    # A query parameter the operation does not take (yizhou.list_parameters): refused, never ignored.
    "unknown-parameter": (400, "The request has a query parameter this operation does not take"),
    # `If-Match` named a representation that is no longer current (yizhou.conditional_writes).
    "precondition-failed": (412, "The resource changed since you read it"),
}


def register_problem(kind: str, status: int, title: str) -> str:
    """A service adds its own kinds once, at import; returns the kind for raising."""
    if CATALOGUE.get(kind, (status, title)) != (status, title):
        raise ValueError(f"problem '{kind}' already registered differently")
    CATALOGUE[kind] = (status, title)
    return kind


def problem_type(kind: str) -> str:
    return PROBLEM_BASE + kind


class ApplicationError(Exception):
    """A request the application refuses. The class's `kind` picks the catalogue entry (and so the
    status); extensions become extra members of the problem body (e.g. `errors`, `allowed`).
    `ApplicationError.of(kind, ...)` refuses with a kind named at run time (a domain rule's)."""

    kind: ClassVar[str] = "internal"

    def __init__(self, detail: str, **extensions: Any) -> None:
        self._refuse(type(self).kind, detail, None, extensions)

    @classmethod
    def of(cls, kind: str, detail: str, *, status: int | None = None, **extensions: Any) -> ApplicationError:
        error = cls.__new__(cls)
        error._refuse(kind, detail, status, extensions)
        return error

    def _refuse(self, kind: str, detail: str, status: int | None, extensions: dict[str, Any]) -> None:
        Exception.__init__(self, detail)
        if kind not in CATALOGUE:
            raise ValueError(f"problem kind '{kind}' is not registered")
        self.slug = kind
        self.status = status or CATALOGUE[kind][0]
        self.detail = detail
        self.extensions = extensions


class Invalid(ApplicationError):
    kind = "validation"


class Unauthenticated(ApplicationError):
    kind = "unauthenticated"


class Forbidden(ApplicationError):
    kind = "forbidden"


class OutOfScope(ApplicationError):
    kind = "out-of-scope"


class NotFound(ApplicationError):
    kind = "not-found"


class Conflict(ApplicationError):
    kind = "conflict"


class Duplicate(ApplicationError):
    kind = "duplicate"


class TransitionNotAllowed(ApplicationError):
    """The application side of the domain's `yizhou.state_machine.IllegalTransition`."""

    kind = "illegal-transition"


class RuleViolated(ApplicationError):
    kind = "rule-violated"


class UnknownReference(ApplicationError):
    kind = "unknown-reference"


class AreaRetired(ApplicationError):
    kind = "area-retired"


class NothingToChange(ApplicationError):
    kind = "nothing-to-change"


class Unavailable(ApplicationError):
    kind = "unavailable"


def from_rule(exc: Exception, **extensions: Any) -> ApplicationError:
    """A domain refusal that names its kind (`exc.kind`, registered by its service) as an application
    error of that kind."""
    return ApplicationError.of(exc.kind, str(exc), **extensions)  # type: ignore[attr-defined]
