"""Prometheus metrics of every service, and the middleware that times HTTP requests."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["service"])
EVENTS_APPLIED = Counter("events_applied_total", "Events applied by consumers", ["group", "event_type"])
DEAD_LETTERS = Counter("dead_letters_total", "Records sent to a dead-letter topic", ["group", "topic"])
CONSUMER_LAG = Gauge("consumer_lag", "Records behind the partition end", ["group", "topic", "partition"])


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
