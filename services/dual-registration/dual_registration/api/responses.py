"""The problem answers every router of this service documents (FastAPI `responses=`)."""

from __future__ import annotations

PROBLEMS = {
    401: {"description": "No or bad token (`unauthenticated`)"},
    403: {"description": "Role or scope forbids it (`forbidden`, `out-of-scope`, `self-confirmation`, ...)"},
    404: {"description": "Unknown, or outside your area (`not-found`)"},
    409: {"description": "Conflicts with the current state (`illegal-transition` naming the allowed states, "
                         "`duplicate`, `capacity-reached`, `overlapping-session`, `checkin-code-used`, ...)"},
    422: {"description": "Invalid body or broken rule (`validation`, `unknown-reference`, `not-eligible`, "
                         "`invalid-hours`, `invalid-period`, ...)"},
}
