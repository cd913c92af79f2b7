"""The HTTP side of the metrics: every request counted and timed, and `/metrics` for Prometheus."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from yizhou.observability import HTTP_LATENCY, HTTP_REQUESTS


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so streaming and background tasks are untouched."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")  # the template, so labels stay bounded
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, path, str(status["code"])).inc()
            HTTP_LATENCY.labels(self.service, method, path).observe(time.perf_counter() - start)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
