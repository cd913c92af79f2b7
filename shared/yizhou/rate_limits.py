"""Rate limits per token and per client address: 429 `rate-limited` problem+json with `Retry-After`.

Counted by the `limits` library in this process's memory with its sliding-window counter (two counters
per key, so a flood of keys costs little; no burst of twice the limit at a window's edge as with a fixed
window). Each process counts on its own: with N API processes of a service a caller may get up to N
times the limit through a balancer that spreads its requests; the gateway in front (issue 20) is
where one count for the whole platform belongs.

- Per token: the verified token's subject (`sub`), writes (POST, PUT, PATCH, DELETE) and reads apart.
  A token that does not verify counts only against its address (it is refused with 401 anyway), so
  nobody can spend another caller's allowance by writing their subject into a forged token.
- Per client address: every request, with or without a token, except from the exempt networks (this
  machine by default). The address is uvicorn's view of the client: behind a proxy, the proxy's, unless
  uvicorn trusts it for `X-Forwarded-For` (`FORWARDED_ALLOW_IPS`, by default 127.0.0.1).
- Health, readiness and metrics are never limited: orchestrators and Prometheus poll them.

Pure ASGI, installed by `yizhou.service_app.build_app` outside the body limit, so a refused request's
body is never read.
"""

from __future__ import annotations

import ipaddress
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from yizhou.errors import ApplicationError
from yizhou.observability import HTTP_RATE_LIMITED
from yizhou.problems import problem_response
from yizhou.traffic_settings import TrafficSettings

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: TrafficSettings, service: str = "service") -> None:
        self.app = app
        self.service = service
        self.writes = _per_minute(settings.rate_limit_token_writes_per_minute)
        self.reads = _per_minute(settings.rate_limit_token_reads_per_minute)
        self.per_address = _per_minute(settings.rate_limit_address_per_minute)
        self.exempt = settings.rate_limit_exempt
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    @property
    def enabled(self) -> bool:
        return any((self.writes, self.reads, self.per_address))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("",))[0]
        if (self.per_address is not None and not self._exempt(address)
                and not await self.limiter.hit(self.per_address, "address", address)):
            await self._refuse(scope, receive, send, self.per_address, ("address", address), "address",
                               "requests from this address")
            return
        item = self.reads if scope["method"] in READS else self.writes
        if item is not None:
            subject = await _subject(scope)
            if subject is not None:
                kind = "reads" if item is self.reads else "writes"
                if not await self.limiter.hit(item, f"token-{kind}", subject):
                    await self._refuse(scope, receive, send, item, (f"token-{kind}", subject), f"token-{kind}",
                                       f"{kind} with this token")
                    return
        await self.app(scope, receive, send)

    def _exempt(self, address: str) -> bool:
        if not self.exempt:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:   # not an IP (a test client's name, a Unix socket): nothing to exempt it by
            return False
        return any(ip in network for network in self.exempt)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, item: RateLimitItem,
                      key: tuple[str, str], limit: str, what: str) -> None:
        stats = await self.limiter.get_window_stats(item, *key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        HTTP_RATE_LIMITED.labels(self.service, limit).inc()
        response = problem_response(
            Request(scope), "rate-limited",
            f"Too many {what}: at most {item.amount} a minute. Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)}, limit=limit, limit_per_minute=item.amount,
            retry_after_s=retry_after)
        await response(scope, receive, send)


def _per_minute(amount: int) -> RateLimitItem | None:
    return RateLimitItemPerMinute(amount) if amount > 0 else None


async def _subject(scope: Scope) -> str | None:
    """The subject of the request's bearer token if it verifies (the app's verifier keeps verified
    tokens, so the route's own check costs nothing more); None without one, or with a bad one."""
    header = next((v for k, v in scope.get("headers") or () if k == b"authorization"), None)
    if header is None:
        return None
    scheme, _, token = header.decode("latin-1").partition(" ")
    tokens = getattr(getattr(scope.get("app"), "state", None), "tokens", None)
    if scheme.lower() != "bearer" or not token.strip() or tokens is None:
        return None
    try:
        return (await tokens.verify(token.strip())).subject
    except ApplicationError:
        return None
    except Exception:   # noqa: BLE001  (e.g. the identity provider unreachable: the route's own check answers)
        return None
