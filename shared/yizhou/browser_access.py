"""What a browser needs from every service (`build_app` installs it): CORS for the origins of
`CORS_ALLOW_ORIGINS`, gzip, and Swagger UI / ReDoc served from the service itself (no CDN, so `/docs`
works on an intranet and behind the gateway's path prefixes)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import HTMLResponse, Response

from yizhou.browser_settings import BrowserSettings
from yizhou.problems import problem_response, register_problem

CORS_REFUSED = register_problem("cors-refused", 400, "The cross-origin request is not allowed")

# What a page may send and read: the token, JSON bodies, keyed retries, conditional writes, correlation.
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", "X-Request-ID")
EXPOSED_HEADERS = ("ETag", "Retry-After", "X-Request-ID", "Location", "Content-Disposition")
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

# Below this a compressed answer saves less than the gzip work costs.
GZIP_MINIMUM_BYTES = 1024
# Already compressed (XLSX is a zip): gzip would only cost CPU. Streams (CSV exports) are compressed
# chunk by chunk as they go; event streams are left alone by Starlette's own list.
NOT_GZIPPED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

ASSETS = Path(fastapi_offline.__file__).parent / "static"   # swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js
ASSETS_PATH = "/docs/assets"


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json like every other refusal."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        return problem_response(None, CORS_REFUSED, f"{response.body.decode()}: see CORS_ALLOW_ORIGINS "
                                "and the allowed methods and headers (docs/api.md).", headers=headers)


def add_browser_middleware(app: FastAPI, settings: BrowserSettings) -> None:
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, exclude_content_types=NOT_GZIPPED)
    if settings.cors_origins:   # none configured: no CORS header at all (same-origin through the gateway only)
        app.add_middleware(ProblemCORSMiddleware, allow_origins=settings.cors_origins, allow_methods=ALLOWED_METHODS,
                           allow_headers=ALLOWED_HEADERS, expose_headers=EXPOSED_HEADERS)


def add_docs_pages(app: FastAPI) -> None:
    """`/docs` (Swagger UI) and `/redoc` on the service's own assets. Their URLs are relative, so the
    pages work at `/docs` and at `/<service>/docs` behind the gateway alike."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    assets = ASSETS_PATH.lstrip("/")   # relative to the page: `/docs` -> `docs/assets/...`
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        # validatorUrl null: the default sends the document to a public validator for a badge.
        return get_swagger_ui_html(openapi_url="openapi.json", title=f"{title} - Swagger UI",
                                   swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{assets}/swagger-ui.css",
                                   swagger_favicon_url=f"{assets}/favicon.png", oauth2_redirect_url=None,
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="openapi.json", title=f"{title} - ReDoc",
                              redoc_js_url=f"{assets}/redoc.standalone.js",
                              redoc_favicon_url=f"{assets}/favicon.png", with_google_fonts=False)
