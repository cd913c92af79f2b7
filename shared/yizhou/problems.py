"""RFC 9457 problem details: every error a client can cause, with a stable `type` URI.

Domain code raises the domain's own exceptions (no HTTP import); the service maps them to
`Problem`s, and the handlers here render every failure as `application/problem+json`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_BASE = "urn:yizhou:problem:"
MEDIA_TYPE = "application/problem+json"

# slug -> (status, title): the catalogue a client can code against.
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
}


def register_problem(slug: str, status: int, title: str) -> str:
    """A service adds its own problem kinds once, at import; returns the slug for raising."""
    if CATALOGUE.get(slug, (status, title)) != (status, title):
        raise ValueError(f"problem '{slug}' already registered differently")
    CATALOGUE[slug] = (status, title)
    return slug


class Problem(Exception):
    def __init__(self, slug: str, detail: str, *, status: int | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.slug = slug
        self.status = status or CATALOGUE[slug][0]
        self.detail = detail
        self.extensions = extensions


def problem_type(slug: str) -> str:
    return PROBLEM_BASE + slug


def problem_response(request: Request | None, slug: str, detail: str, status: int | None = None,
                     headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    status = status or CATALOGUE[slug][0]
    body = {
        "type": problem_type(slug),
        "title": CATALOGUE.get(slug, (status, slug))[1],
        "status": status,
        "detail": detail,
        **({"instance": request.url.path} if request is not None else {}),
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        errors.append({"field": ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc), "location": loc[0] if loc else "",
                       "message": err.get("msg", ""), "code": err.get("type", "")})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        return problem_response(request, exc.slug, exc.detail, exc.status, **exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = _field_errors(exc)
        if any(e["code"] == "json_invalid" for e in errors):
            return problem_response(request, "malformed-request", "The body is not valid JSON.", errors=errors)
        return problem_response(request, "validation", "Some fields are missing or invalid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        slug = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
                409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type"}.get(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if slug is None:
            slug = "malformed-request" if 400 <= exc.status_code < 500 else "internal"
        return problem_response(request, slug, detail, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc)
        return problem_response(request, "unavailable", "The database is unavailable.", headers={"Retry-After": "5"})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError):
        # A unique key won by a concurrent request: the client's retry gets a clean answer.
        log.info("integrity conflict: %s", exc.orig)
        return problem_response(request, "conflict", "A concurrent request changed the same record; retry.")

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError):
        from yizhou.database import database_unavailable  # database.py imports this module's neighbours

        if database_unavailable(exc):  # e.g. PostgreSQL still starting up after a crash (57P03)
            return problem_response(request, "unavailable", "The database connection was lost.", headers={"Retry-After": "5"})
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            # Data exceptions: a value the client sent cannot be stored (e.g. a NUL character on PostgreSQL).
            return problem_response(request, "validation", "A value in the request cannot be stored (for example a NUL "
                                    "character or a number out of range).", errors=[])
        log.exception("database error")
        return problem_response(request, "internal", "Internal error.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return problem_response(request, "unavailable", "A backing service is unavailable.", headers={"Retry-After": "5"})
        log.exception("unhandled error")
        return problem_response(request, "internal", "Internal error.")
