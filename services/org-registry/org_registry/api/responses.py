"""The problem answers the registry's routers document (FastAPI `responses=`)."""

from __future__ import annotations

from typing import Any

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed body or bad cursor (`malformed-request`, `bad-cursor`)"},
    401: {"description": "No or bad token (`unauthenticated`)"},
    403: {"description": "Role may not do this (`forbidden`)"},
    404: {"description": "Unknown, or outside your area (`not-found`)"},
    409: {"description": "Conflicts with the record's state (`duplicate`, `organization-dissolved`, `member-left`, "
                         "`unit-already-covered`, `has-active-child-organizations`, `nothing-to-change`, `area-retired`)"},
    422: {"description": "Invalid field or broken rule (`validation`, `unknown-reference`, `rule-violated`, "
                         "`joint-needs-two-units`, `organization-cycle`, `invalid-personal-data`)"},
}
