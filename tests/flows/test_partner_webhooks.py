"""The webhook bridge end to end on a real broker: partner events reach a local HTTPS-less test
receiver (loopback http is allowed in tests only), signed, retried, dead-lettered, re-sent, replayed,
and each record's events arrive in order."""

import asyncio
import base64
import json
import os
import socket
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou_platform.embedded_broker import free_port
from yizhou_platform.testing import eventually, serve

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()


class Receiver:
    """A partner's endpoint: verifies every signature, can fail on purpose."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.fail_next = 0
        self.always_fail = False
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/hook", self.hook, methods=["POST"])]),
                                                    host="127.0.0.1", port=self.port, log_level="warning"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        try:
            Webhook(SECRET).verify(body, dict(request.headers))
        except Exception:
            self.bad_signatures += 1
            return Response(status_code=401)
        if self.always_fail or self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=503)
        self.received.append({"webhook_id": request.headers["webhook-id"], **json.loads(body)})
        return Response(status_code=204)

    async def __aenter__(self):
        self.task = asyncio.create_task(self.server.serve())
        await eventually(lambda: asyncio.sleep(0, self.server.started))
        return self

    async def __aexit__(self, *exc):
        self.server.should_exit = True
        await self.task


@pytest.fixture(scope="module")
async def org(make_settings):
    async with serve(create_app(make_settings(Settings, webhook_max_attempts=3))) as client:
        yield client


async def make_district(org, auth, code):
    admin = auth("district_admin", code)
    for area in [{"code": code, "name": "Webhook District", "level": "district"},
                 {"code": f"{code}S1", "name": "North", "level": "subdistrict", "parent_code": code},
                 {"code": f"{code}C1", "name": "Elm", "level": "community", "parent_code": f"{code}S1"}]:
        assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
    return admin


async def register(org, headers, url, types=("partner.area.changed",)):
    response = await org.post("/api/v1/webhooks/endpoints", headers=headers, json={
        "partner": "Test hotline", "url": url, "secret": SECRET, "event_types": list(types)})
    assert response.status_code == 201, response.text
    assert "secret" not in response.json()
    return response.json()


async def test_signed_deliveries_retry_and_keep_order(org, auth, unique_code):
    d = unique_code("W")
    admin = auth("district_admin", d)
    assert (await org.post("/api/v1/areas", json={"code": d, "name": "Webhook District", "level": "district"},
                           headers=admin)).status_code == 201
    async with Receiver() as receiver:
        receiver.fail_next = 2  # the first two attempts fail: retried with backoff
        endpoint = await register(org, auth("partner", d), receiver.url)
        for i in range(1, 4):
            body = {"code": f"{d}S{i}", "name": f"Sub {i}", "level": "subdistrict", "parent_code": d}
            assert (await org.post("/api/v1/areas", json=body, headers=admin)).status_code == 201
        assert (await org.patch(f"/api/v1/areas/{d}S1", json={"name": "Sub One"}, headers=admin)).status_code == 200

        # The district's own event may or may not arrive: it raced the registration. Its children's do.
        ours = lambda: [r for r in receiver.received if r["data"]["area_code"] != d]  # noqa: E731
        await eventually(lambda: asyncio.sleep(0, len(ours()) >= 4), timeout_s=60)
        await asyncio.sleep(1)
        changes = [(r["data"]["change"], r["data"]["area_code"]) for r in ours()]
        assert changes == [("area.created", f"{d}S1"), ("area.created", f"{d}S2"), ("area.created", f"{d}S3"),
                           ("area.updated", f"{d}S1")]  # one key (the district): delivered in order
        assert receiver.bad_signatures == 0
        assert all(r["type"] == "partner.area.changed" and r["webhook_id"] == r["id"] for r in receiver.received)
        log = (await org.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}/deliveries",
                             headers=auth("partner", d))).json()["items"]
        assert [x["status"] for x in log] == ["delivered"] * len(receiver.received)
        assert log[0]["attempts"] == 3  # two failures, then success
        before = len(receiver.received)

        # Replay from a time: everything since then is sent again (same ids: partners deduplicate).
        replay = await org.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay", headers=auth("partner", d),
                                json={"since": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()})
        # Five partner events of this district exist (its own creation raced the registration).
        assert replay.status_code == 200 and replay.json()["requeued"] == 5, replay.text
        await eventually(lambda: asyncio.sleep(0, len(receiver.received) >= before + 5), timeout_s=60)
        assert {r["id"] for r in receiver.received[:before]} <= {r["id"] for r in receiver.received[before:]}


async def test_dead_after_the_limit_then_resend(org, auth, unique_code):
    d = unique_code("X")
    admin = auth("district_admin", d)
    assert (await org.post("/api/v1/areas", json={"code": d, "name": "Dead District", "level": "district"},
                           headers=admin)).status_code == 201
    async with Receiver() as receiver:
        receiver.always_fail = True
        endpoint = await register(org, auth("partner", d), receiver.url)
        body = {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d}
        assert (await org.post("/api/v1/areas", json=body, headers=admin)).status_code == 201
        partner = auth("partner", d)
        url = f"/api/v1/webhooks/endpoints/{endpoint['id']}/deliveries"

        async def dead():
            items = (await org.get(url, params={"status": "dead"}, headers=partner)).json()["items"]
            return items

        # The subdistrict's event for sure; the district's own too if it reached the bridge after registration.
        deliveries = await eventually(dead, timeout_s=60)
        await asyncio.sleep(1)
        deliveries = await dead()
        assert all(x["attempts"] == 3 and x["last_status_code"] == 503 for x in deliveries) and receiver.received == []
        receiver.always_fail = False
        for delivery in deliveries:
            assert (await org.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/resend", headers=partner)).status_code == 200
        await eventually(lambda: asyncio.sleep(0, len(receiver.received) == len(deliveries)), timeout_s=60)
        assert f"{d}S1" in {r["data"]["area_code"] for r in receiver.received}


@pytest.fixture
async def public_dns(monkeypatch):
    """The example hosts resolve to a public address (the machine may have no DNS); nothing connects."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    hosts = {"partner.example.org", "p.example.org"}

    async def getaddrinfo(host, port, *, family=0, type=0, proto=0, flags=0):
        if (host.decode() if isinstance(host, bytes) else host) in hosts:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.216.34", int(port or 443)))]
        return await real(host, port, family=family, type=type, proto=proto, flags=flags)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_endpoints_are_scoped_and_validated(org, auth, unique_code, public_dns):
    d = unique_code("Y")
    await make_district(org, auth, d)
    north = auth("partner", f"{d}S1")
    ok = await register(org, north, "https://partner.example.org/hook")
    assert ok["area_path"] == f"/{d}/{d}S1/"
    bad = [{"url": "http://partner.example.org/hook"}, {"url": "ftp://x"}, {"secret": "not base64 !!!!!!!!"},
           {"event_types": ["partner.nope"]}, {"event_types": []}]
    for change in bad:
        body = {"partner": "P", "url": "https://p.example.org/h", "secret": SECRET,
                "event_types": ["partner.area.changed"], **change}
        response = await org.post("/api/v1/webhooks/endpoints", headers=north, json=body)
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json"), change
    # Staff whose area covers it see it; any other partner (the district's, a community's) sees nothing
    # of it (tests/security/test_webhook_attacks.py has the rest); a resident may not register at all.
    assert (await org.get(f"/api/v1/webhooks/endpoints/{ok['id']}", headers=auth("district_admin", d))).status_code == 200
    assert (await org.get(f"/api/v1/webhooks/endpoints/{ok['id']}", headers=north)).status_code == 200
    assert (await org.get(f"/api/v1/webhooks/endpoints/{ok['id']}", headers=auth("partner", d))).status_code == 404
    assert (await org.get(f"/api/v1/webhooks/endpoints/{ok['id']}", headers=auth("partner", f"{d}C1"))).status_code == 404
    assert (await org.post("/api/v1/webhooks/endpoints", headers=auth("resident", d), json={
        "partner": "P", "url": "https://p.example.org/h", "secret": SECRET,
        "event_types": ["partner.area.changed"]})).status_code == 403
