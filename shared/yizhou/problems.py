"""RFC 9457 problem details: every error a client can cause, with a stable `type` URI.

Domain code raises the domain's own exceptions, use cases and stores raise `yizhou.errors`'
application errors (no HTTP import); the handlers here, installed once per app, render every
failure as `application/problem+json`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yizhou.auth import bearer_challenge
from yizhou.database import database_unavailable
from yizhou.errors import CATALOGUE, PROBLEM_BASE, ApplicationError, problem_type, register_problem
from yizhou.labels import register_messages, request_language, translate

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"

# The fixed `detail`s of the answers below (and Starlette's own), translated like the titles; a dynamic
# detail stays as written, its title still in the reader's language.
NOT_JSON = "The body is not valid JSON."
INVALID_FIELDS = "Some fields are missing or invalid."
REQUEST_FAILED = "Request failed."
OUT_OF_RANGE = "A date or number in the request is outside the range the platform can work with."
DATABASE_DOWN = "The database is unavailable."
CONCURRENT_CHANGE = "A concurrent request changed the same record; retry."
CONNECTION_LOST = "The database connection was lost."
UNSTORABLE = "A value in the request cannot be stored (for example a NUL character or a number out of range)."
INTERNAL = "Internal error."
BACKING_DOWN = "A backing service is unavailable."
register_messages(NOT_JSON, INVALID_FIELDS, REQUEST_FAILED, OUT_OF_RANGE, DATABASE_DOWN, CONCURRENT_CHANGE,
                  CONNECTION_LOST, UNSTORABLE, INTERNAL, BACKING_DOWN, "Not Found", "Method Not Allowed")

# Re-exported: the API layer and older imports name them from here.
__all__ = ["CATALOGUE", "PROBLEM_BASE", "MEDIA_TYPE", "Problem", "install_problem_handlers", "problem_response",
           "problem_type", "register_problem"]


class Problem(ApplicationError):
    """The API layer's way to refuse a request by kind (`Problem("not-found", "...")`); use cases
    and stores raise the typed errors of `yizhou.errors` instead."""

    def __init__(self, slug: str, detail: str, *, status: int | None = None, **extensions: Any) -> None:
        self._refuse(slug, detail, status, extensions)


def problem_response(request: Request | None, slug: str, detail: str, status: int | None = None,
                     headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    status = status or CATALOGUE[slug][0]
    language = request_language(request)   # `type` stays as it is: clients branch on it in any language
    body = {
        "type": problem_type(slug),
        "title": translate(CATALOGUE.get(slug, (status, slug))[1], language),
        "status": status,
        "detail": translate(detail, language),
        **({"instance": request.url.path} if request is not None else {}),
        **extensions,
    }
    # One answer per language: a cache must not hand the Chinese one to an English reader.
    headers = {**(headers or {}), "Content-Language": language, "Vary": "Accept-Language"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        errors.append({"field": ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc), "location": loc[0] if loc else "",
                       "message": err.get("msg", ""), "code": err.get("type", "")})
    return errors


def _out_of_range(request: Request):
    # Only what a client sends reaches these limits (year 1 at +14:00 before UTC, hours of 1e308): the
    # platform's own dates and figures never do.
    return problem_response(request, "validation", OUT_OF_RANGE, errors=[])


def _challenge(request: Request, status: int) -> dict[str, str] | None:
    # A 401 says how to authenticate (RFC 9110 section 11.6.1): clients and browsers look for it.
    if status != 401:
        return None
    return {"WWW-Authenticate": bearer_challenge(request.headers.get("authorization"))}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApplicationError)
    async def _problem(request: Request, exc: ApplicationError):
        return problem_response(request, exc.slug, exc.detail, exc.status, headers=_challenge(request, exc.status),
                                **exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = _field_errors(exc)
        if any(e["code"] == "json_invalid" for e in errors):
            return problem_response(request, "malformed-request", NOT_JSON, errors=errors)
        return problem_response(request, "validation", INVALID_FIELDS, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        slug = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
                409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type"}.get(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else REQUEST_FAILED
        if slug is None:
            slug = "malformed-request" if 400 <= exc.status_code < 500 else "internal"
        headers = {**(getattr(exc, "headers", None) or {}), **(_challenge(request, exc.status_code) or {})}
        return problem_response(request, slug, detail, exc.status_code, headers=headers or None)

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc)
        return problem_response(request, "unavailable", DATABASE_DOWN, headers={"Retry-After": "5"})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError):
        # A unique key won by a concurrent request: the client's retry gets a clean answer.
        log.info("integrity conflict: %s", exc.orig)
        return problem_response(request, "conflict", CONCURRENT_CHANGE)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError):
        if database_unavailable(exc):  # e.g. PostgreSQL still starting up after a crash (57P03)
            return problem_response(request, "unavailable", CONNECTION_LOST, headers={"Retry-After": "5"})
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            # Data exceptions: a value the client sent cannot be stored (e.g. a NUL character on PostgreSQL).
            return problem_response(request, "validation", UNSTORABLE, errors=[])
        log.exception("database error")
        return problem_response(request, "internal", INTERNAL)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError):
        return _out_of_range(request)

    @app.exception_handler(StatementError)  # a value that could not be bound (DBAPIError has its own above)
    async def _unbindable(request: Request, exc: StatementError):
        if isinstance(exc.orig, OverflowError):
            return _out_of_range(request)
        log.exception("statement error")
        return problem_response(request, "internal", INTERNAL)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return problem_response(request, "unavailable", BACKING_DOWN, headers={"Retry-After": "5"})
        log.exception("unhandled error")
        return problem_response(request, "internal", INTERNAL)
