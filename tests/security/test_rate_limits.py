"""Rate limits (`yizhou.rate_limits`), as a flooding client meets them: per token (its subject, writes
and reads apart) and per client address, 429 `rate-limited` problem+json with `Retry-After`; another
token or address is unaffected; a forged token cannot spend someone else's allowance; health and
metrics are never limited. In process (ASGI), so the client's address can be any."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou.auth import mint_token
from yizhou.problems import MEDIA_TYPE

pytestmark = pytest.mark.security

AREA = "CY"
RATE_LIMITED = "urn:yizhou:problem:rate-limited"


@asynccontextmanager
async def app_with(make_settings, **limits):
    # An API process only: no consumers joining the session's groups.
    app = create_app(make_settings(Settings, process_role="api", **limits))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        yield manager.app


def client(app, address: str = "198.51.100.20") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 41000)), base_url="http://service")


def bearer(token, subject: str | None = None, role: str = "district_admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, AREA, subject=subject or f'user-{uuid.uuid4().hex[:8]}')}"}


def assert_rate_limited(response: httpx.Response, limit: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert body["type"] == RATE_LIMITED and body["status"] == 429 and body["limit"] == limit
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60 and body["retry_after_s"] == retry_after


async def test_a_burst_of_writes_over_the_token_limit_is_429_and_another_token_is_unaffected(make_settings, token):
    async with app_with(make_settings, rate_limit_token_writes_per_minute=3, rate_limit_address_per_minute=0) as app, \
            client(app) as http:
        flooder, other = bearer(token), bearer(token)
        answers = [await http.post("/api/v1/areas", json={}, headers=flooder) for _ in range(6)]
        assert 429 not in [r.status_code for r in answers[:3]]   # counted, then answered by the route as usual
        for refused in answers[3:]:
            assert_rate_limited(refused, "token-writes")
        assert (await http.post("/api/v1/areas", json={}, headers=other)).status_code != 429
        # Reads have their own allowance: the flooder still reads.
        assert (await http.get("/api/v1/areas", headers=flooder)).status_code != 429


async def test_reads_over_the_token_limit_are_429_while_health_and_metrics_stay_open(make_settings, token):
    async with app_with(make_settings, rate_limit_token_reads_per_minute=4, rate_limit_address_per_minute=0) as app, \
            client(app) as http:
        reader = bearer(token)
        statuses = [(await http.get("/api/v1/areas", headers=reader)).status_code for _ in range(4)]
        assert 429 not in statuses
        assert_rate_limited(await http.get("/api/v1/areas", headers=reader), "token-reads")
        for _ in range(10):
            assert (await http.get("/healthz", headers=reader)).status_code == 200
            assert (await http.get("/metrics", headers=reader)).status_code == 200
        assert (await http.get("/api/v1/areas", headers=bearer(token))).status_code != 429
        metrics = (await http.get("/metrics")).text
        assert 'http_rate_limited_total{limit="token-reads",service="org-registry"}' in metrics


async def test_one_address_over_its_limit_is_429_whatever_the_tokens_and_other_addresses_are_not(make_settings, token):
    async with app_with(make_settings, rate_limit_address_per_minute=5) as app:
        async with client(app, "203.0.113.7") as flooder:
            # Fresh tokens (and none) do not help: the address is counted.
            statuses = [(await flooder.get("/api/v1/areas", headers=bearer(token))).status_code for _ in range(3)]
            statuses += [(await flooder.get("/api/v1/areas")).status_code for _ in range(2)]   # 401: counted too
            assert 429 not in statuses, statuses
            assert_rate_limited(await flooder.get("/api/v1/areas", headers=bearer(token)), "address")
            assert_rate_limited(await flooder.post("/api/v1/areas", json={}), "address")
            assert (await flooder.get("/healthz")).status_code == 200
        async with client(app, "203.0.113.8") as neighbour:
            assert (await neighbour.get("/api/v1/areas", headers=bearer(token))).status_code != 429
        async with client(app, "127.0.0.1") as local:   # this machine (a gateway on the host) is exempt by default
            assert 429 not in [(await local.get("/asyncapi.json")).status_code for _ in range(8)]


async def test_a_forged_token_cannot_spend_another_callers_allowance(make_settings, token):
    async with app_with(make_settings, rate_limit_token_writes_per_minute=2, rate_limit_address_per_minute=0) as app, \
            client(app) as http:
        victim = f"resident-{uuid.uuid4().hex[:8]}"
        forged = mint_token("not-the-platform-secret-" + "x" * 32, role="district_admin", area=AREA, subject=victim)
        for _ in range(5):
            assert (await http.post("/api/v1/areas", json={}, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
        answer = await http.post("/api/v1/areas", json={}, headers=bearer(token, victim))
        assert answer.status_code not in (401, 429), answer.text


async def test_zero_turns_the_limits_off(make_settings, token):
    async with app_with(make_settings, rate_limit_token_writes_per_minute=0, rate_limit_token_reads_per_minute=0,
                        rate_limit_address_per_minute=0) as app, client(app) as http:
        headers = bearer(token)
        assert 429 not in [(await http.post("/api/v1/areas", json={}, headers=headers)).status_code for _ in range(30)]


def test_the_defaults_are_on_and_a_bad_exempt_network_stops_the_service():
    settings = Settings(_env_file=None)
    assert settings.rate_limit_token_writes_per_minute > 0 and settings.rate_limit_token_reads_per_minute > 0
    assert settings.rate_limit_address_per_minute > 0
    with pytest.raises(ValueError):
        Settings(_env_file=None, rate_limit_exempt_networks="10.0.0.0/33")
