"""The problem answers the routers document (FastAPI `responses=`; the guarantee network's too)."""

from __future__ import annotations

PROBLEMS = {401: {"description": "No or bad token (problem+json)"},
            403: {"description": "Role forbids it, or the caller's area is not on this service's axis"},
            404: {"description": "Unknown, or outside your area"},
            409: {"description": "Illegal step (names current and allowed states), over budget, not ready, conflict"},
            422: {"description": "Invalid body, unknown reference or broken rule"}}
