"""Attacks on the partner webhook bridge (yizhou.webhooks), each closed:

- SSRF: endpoint URLs naming (or resolving to) loopback, private, link-local, metadata, multicast,
  unspecified, reserved or IPv4-mapped addresses, odd numeric hosts and userinfo are refused at
  registration; a name that resolves elsewhere by delivery time (DNS rebinding) is refused at delivery;
- partner isolation: another partner of the same area cannot list, read, re-send, replay or delete it;
- a deactivated endpoint gets nothing more, queued or not;
- replay honours `since` (also on the embedded broker) and is limited per endpoint;
- caps on endpoints per partner and on pending deliveries per endpoint;
- delivery errors are shown as classes, never as socket errors.

Two org-registry apps in this process, each with its dispatcher running: `org` as the suite runs it
(loopback receivers allowed) and `strict` with the production default (no allowance). Host names under
`.test` never resolve in real DNS: the tests give them addresses through the event loop's resolver,
which the bridge and httpx's own connections both use, so the same tests run against a bridge that
does not check (they fail there: a connection is made, a 201 answered).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import uvicorn
from sqlalchemy import select, update
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou_platform.embedded_broker import free_port
from yizhou_platform.testing import eventually, serve
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

pytestmark = pytest.mark.security

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()
PUBLIC_IP = "93.184.216.34"  # a global unicast address; no test connects to it
PROBLEM = "urn:yizhou:problem:"


# --- the apps, the resolver, receivers -----------------------------------------------------------------

@pytest.fixture(scope="module")
async def org(make_settings, tmp_path_factory):
    """As the suite runs org-registry: loopback receivers allowed, the dispatcher running."""
    settings = make_settings(Settings, data_dir=tmp_path_factory.mktemp("webhook-attacks"))
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
async def strict(make_settings, tmp_path_factory):
    """The production default (no loopback allowance) with its dispatcher running, on a database of its
    own (so no other process's dispatcher sends what its tests queue); no relay or consumers: its tests
    queue deliveries themselves."""
    folder = tmp_path_factory.mktemp("webhook-strict")
    settings = make_settings(Settings, data_dir=folder, own_database_url=f"sqlite+aiosqlite:///{folder / 'strict.db'}",
                             webhooks_allow_http_loopback=False, relay_enabled=False, consumer_enabled=False)
    assert settings.webhooks_allow_http_loopback is False
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture
async def dns(monkeypatch):
    """Names the event loop's resolver (loop.getaddrinfo: what the bridge and httpx's connections use)
    answers with the given addresses: a list, or a function of the number of lookups so far."""
    loop = asyncio.get_running_loop()
    names: dict[str, list[str] | Callable[[int], list[str]]] = {}
    lookups: dict[str, int] = {}
    real = loop.getaddrinfo

    async def getaddrinfo(host, port, *, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in names:
            return await real(host, port, family=family, type=type, proto=proto, flags=flags)
        lookups[name] = lookups.get(name, 0) + 1
        answer = names[name]
        infos = []
        for text in (answer(lookups[name]) if callable(answer) else answer):
            address = ipaddress.ip_address(text)
            if address.version == 6:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (text, int(port or 0), 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (text, int(port or 0))))
        return infos

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return names


class Receiver:
    """A partner's endpoint on loopback: /hook verifies signatures and can fail; /status/<code> answers it."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.hosts: list[str] = []
        self.fail = False
        self.port = free_port()
        app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"]),
                                Route("/status/{code:int}", self.status, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))

    def url(self, host: str = "127.0.0.1", path: str = "/hook") -> str:
        return f"http://{host}:{self.port}{path}"

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        Webhook(SECRET).verify(body, dict(request.headers))
        self.hosts.append(request.headers["host"])
        if self.fail:
            return Response(status_code=503)
        self.received.append({"webhook_id": request.headers["webhook-id"], "body": body})
        return Response(status_code=204)

    async def status(self, request: Request) -> Response:
        return Response(status_code=request.path_params["code"])

    async def __aenter__(self):
        self.task = asyncio.create_task(self.server.serve())
        await eventually(lambda: asyncio.sleep(0, self.server.started))
        return self

    async def __aexit__(self, *exc):
        self.server.should_exit = True
        await self.task


class Listener:
    """A bare TCP port on loopback that counts connections and never answers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.connections = 0

    async def _handle(self, reader, writer) -> None:
        self.connections += 1
        await reader.read()   # until the client gives up
        writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()


def headers(token, role: str, area: str, subject: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, area, subject=subject)}"}


async def district(client, token, code: str) -> str:
    admin = headers(token, "district_admin", code)
    response = await client.post("/api/v1/areas", json={"code": code, "name": "Webhook District", "level": "district"},
                                 headers=admin)
    assert response.status_code == 201, response.text
    return f"/{code}/"


async def add_area(client, token, d: str, n: int) -> None:
    body = {"code": f"{d}S{n}", "name": f"Sub {n}", "level": "subdistrict", "parent_code": d}
    response = await client.post("/api/v1/areas", json=body, headers=headers(token, "district_admin", d))
    assert response.status_code == 201, response.text


def endpoint_body(url: str) -> dict:
    return {"partner": "Test hotline", "url": url, "secret": SECRET, "event_types": ["partner.area.changed"]}


REGISTERED: list[tuple] = []   # (client, endpoint id): deactivated after each test


async def register(client, auth_headers, url: str) -> dict:
    response = await client.post("/api/v1/webhooks/endpoints", headers=auth_headers, json=endpoint_body(url))
    assert response.status_code == 201, response.text
    REGISTERED.append((client, response.json()["id"]))
    return response.json()


@pytest.fixture(autouse=True)
async def quiet_dispatchers():
    """Each test's endpoints are deactivated and their queues cancelled when it ends: deliveries left
    retrying keep a dispatcher busy, and one cancelled mid-query at shutdown can leave aiosqlite's close
    pending for good (the session's event loop then never closes)."""
    yield
    while REGISTERED:
        client, endpoint_id = REGISTERED.pop()
        async with client.app_state.db.sessions() as session, session.begin():
            await session.execute(update(partner_endpoints).where(partner_endpoints.c.id == endpoint_id).values(
                active=False))
            await session.execute(update(webhook_deliveries).where(
                webhook_deliveries.c.endpoint_id == endpoint_id, webhook_deliveries.c.status == "pending").values(
                status="cancelled"))


async def insert_deliveries(client, endpoint_id: str, count: int = 1, **values) -> list[int]:
    now = datetime.now(UTC)
    rows = [{"endpoint_id": endpoint_id, "event_id": str(uuid.uuid4()), "event_type": "partner.area.changed",
             "ordering_key": str(uuid.uuid4()), "body": '{"data": {}}', "occurred_at": now, "status": "pending",
             "attempts": 0, "next_attempt_at": now, **values} for _ in range(count)]
    async with client.app_state.db.sessions() as session, session.begin():
        await session.execute(webhook_deliveries.insert(), rows)
        ids = (await session.execute(select(webhook_deliveries.c.id).where(
            webhook_deliveries.c.event_id.in_([r["event_id"] for r in rows])))).scalars().all()
    return sorted(ids)


async def delivery_log(client, auth_headers, endpoint_id: str, **params) -> list[dict]:
    response = await client.get(f"/api/v1/webhooks/endpoints/{endpoint_id}/deliveries", headers=auth_headers,
                                params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- 1. SSRF ------------------------------------------------------------------------------------------

REFUSED_URLS = [
    "https://127.0.0.1/hook", "https://127.10.20.30/hook", "https://localhost/hook", "https://[::1]/hook",
    "https://10.0.0.8/hook", "https://172.16.5.4/hook", "https://192.168.1.1/hook", "https://100.64.0.1/hook",
    "https://[fc00::1]/hook", "https://[fd12:3456::1]/hook",
    "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/hook",
    "https://224.0.0.1/hook", "https://[ff02::1]/hook", "https://0.0.0.0/hook", "https://[::]/hook",
    "https://240.0.0.1/hook", "https://255.255.255.255/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:169.254.169.254]/hook", "https://[64:ff9b::7f00:1]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://127.1/hook", "https://0x7f000001/hook", "https://2130706433/hook", "https://017700000001/hook",
    "https://0177.0.0.1/hook", "https://127.0.0.1./hook",
    "https://user:pw@public.test/hook", "https://public.test@127.0.0.1/hook", "https://token@public.test/hook",
    # names: one that resolves to a private address, to the metadata service, to one public AND one
    # loopback address (every address counts), to an IPv4-mapped loopback, to a unique-local one; and one
    # that does not resolve at all
    "https://internal.test/hook", "https://metadata.test/hook", "https://mixed.test/hook",
    "https://mapped.test/hook", "https://ula.test/hook", "https://nowhere.test/hook",
    # malformed: a 422 too, never a 500
    "https://[::1/hook", "https://public.test:99999/hook", "https://public.test:0/hook",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
async def test_registration_refuses_urls_that_do_not_point_at_the_public_internet(url, strict, token, unique_code,
                                                                                 dns):
    dns.update({"public.test": [PUBLIC_IP], "internal.test": ["10.1.2.3"], "metadata.test": ["169.254.169.254"],
                "mixed.test": [PUBLIC_IP, "127.0.0.1"], "mapped.test": ["::ffff:127.0.0.1"], "ula.test": ["fd00::5"]})
    d = unique_code("SS")
    await district(strict, token, d)
    response = await strict.post("/api/v1/webhooks/endpoints", headers=headers(token, "partner", d),
                                 json=endpoint_body(url))
    assert response.status_code == 422, (url, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == PROBLEM + "validation"
    assert [e["field"] for e in problem["errors"]] == ["url"]
    # What the platform's resolver said about a name is not echoed (internal addresses stay unknown).
    assert "10.1.2.3" not in response.text and "fd00::5" not in response.text


async def test_a_public_https_endpoint_is_accepted(strict, token, unique_code, dns):
    dns["partner.test"] = [PUBLIC_IP, "2606:4700::1111"]
    d = unique_code("SP")
    await district(strict, token, d)
    created = await register(strict, headers(token, "partner", d), "https://partner.test/yizhou/events")
    assert created["url"] == "https://partner.test/yizhou/events" and created["active"] is True


async def test_the_loopback_allowance_is_off_by_default_and_admits_loopback_only(org, token, unique_code,
                                                                                 monkeypatch):
    # With it on (tests, laptops), loopback receivers are allowed and nothing else is.
    d = unique_code("SL")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    for url in ("https://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "https://192.168.0.10/hook",
                "http://[::ffff:10.0.0.1]/hook", "https://0x7f000001/hook"):
        response = await org.post("/api/v1/webhooks/endpoints", headers=partner, json=endpoint_body(url))
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "url", (url, response.text)
    await register(org, partner, "http://127.0.0.1:9/hook")
    # Off unless switched on.
    from yizhou.webhooks.config import WebhookConfig

    monkeypatch.delenv("WEBHOOKS_ALLOW_HTTP_LOOPBACK", raising=False)
    assert WebhookConfig.from_settings(Settings()).policy.allowed_networks == ()


async def test_every_delivery_checks_the_address_again_dns_rebinding(strict, token, unique_code, dns):
    """Public when registered, loopback when delivered: refused, and no connection is ever opened."""
    d = unique_code("SR")
    await district(strict, token, d)
    partner = headers(token, "partner", d)

    async def attempted():
        [delivery] = await delivery_log(strict, partner, endpoint["id"])
        return delivery if delivery["attempts"] >= 1 else None

    async with Listener() as listener:
        dns["rebind.test"] = [PUBLIC_IP]
        endpoint = await register(strict, partner, f"https://rebind.test:{listener.port}/hook")
        dns["rebind.test"] = ["127.0.0.1"]
        await insert_deliveries(strict, endpoint["id"])
        first = await eventually(attempted, timeout_s=30)
        assert (first["status"], first["last_error"]) == ("pending", "blocked"), first
        # One bad address among good ones is enough to refuse.
        dns["rebind.test"] = [PUBLIC_IP, "127.0.0.1"]
        resent = await strict.post(f"/api/v1/webhooks/deliveries/{first['id']}/resend", headers=partner)
        assert resent.status_code == 200 and resent.json()["attempts"] == 0, resent.text
        again = await eventually(attempted, timeout_s=30)
        assert (again["status"], again["last_error"]) == ("pending", "blocked"), again
        assert listener.connections == 0
    assert (await strict.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}", headers=partner)).status_code == 204


async def test_the_client_connects_to_the_address_it_checked(dns):
    """The name is looked up once per connection and the connection goes to the address checked: a
    resolver that answers differently the next time (127.0.0.2, not admitted here) is never asked
    again. The TLS name and the Host header stay the URL's."""
    from yizhou.webhooks.egress import EgressPolicy, guarded_client

    async with Receiver() as receiver, Listener("127.0.0.2", receiver.port) as elsewhere:
        dns["toctou.test"] = lambda n: ["127.0.0.1"] if n == 1 else ["127.0.0.2"]
        client = guarded_client(EgressPolicy.of(networks=["127.0.0.1/32"]), timeout_s=5)
        try:
            body = b'{"data": {}}'
            now = datetime.now(UTC)
            response = await client.post(receiver.url("toctou.test"), content=body, headers={
                "webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(SECRET).sign("msg_1", now, body.decode())})
        finally:
            await client.aclose()
        assert response.status_code == 204
        assert receiver.hosts == [f"toctou.test:{receiver.port}"] and elsewhere.connections == 0


# --- 6. errors as classes -----------------------------------------------------------------------------

async def test_delivery_errors_are_shown_as_classes_never_socket_errors(org, token, unique_code):
    """Refused connection, no answer in time, 4xx, 5xx: the log says "unreachable", "timeout", "4xx",
    "5xx" (the dispatcher's timeout, 10 s, passes once here); rows written before held the raw error."""
    d = unique_code("SE")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    closed = free_port()
    async with Receiver() as receiver, Listener() as hanging:
        urls = {"unreachable": f"http://127.0.0.1:{closed}/hook", "timeout": f"http://127.0.0.1:{hanging.port}/hook",
                "4xx": receiver.url(path="/status/404"), "5xx": receiver.url(path="/status/502")}
        endpoints = {expected: (await register(org, partner, url))["id"] for expected, url in urls.items()}
        for endpoint_id in endpoints.values():
            await insert_deliveries(org, endpoint_id)
        legacy = await insert_deliveries(org, endpoints["unreachable"], status="dead", attempts=8,
                                         last_error="ConnectError: [Errno 111] Connection refused")

        async def attempted(endpoint_id):
            log = [x for x in await delivery_log(org, partner, endpoint_id) if x["id"] not in legacy]
            return log if log and log[0]["attempts"] >= 1 else None

        for expected, endpoint_id in endpoints.items():
            [delivery] = await eventually(partial(attempted, endpoint_id), timeout_s=60)
            assert delivery["last_error"] == expected, (expected, delivery)
            response = await org.get(f"/api/v1/webhooks/endpoints/{endpoint_id}/deliveries", headers=partner)
            for text in ("Errno", "refused", "Connect", "Timeout", "Error", "failed", "127.0.0.1"):
                assert text not in response.text, (expected, text, response.text)
        for endpoint_id in endpoints.values():   # their retries are no other test's business
            assert (await org.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}", headers=partner)).status_code == 204
    assert {x["last_status_code"] for x in await delivery_log(org, partner, endpoints["4xx"])} == {404}
    assert [x["last_error"] for x in await delivery_log(org, partner, endpoints["unreachable"])
            if x["id"] in legacy] == ["unreachable"]


# --- 2. partner isolation -----------------------------------------------------------------------------

async def test_another_partner_cannot_list_read_resend_replay_or_delete_an_endpoint(org, token, unique_code):
    d = unique_code("SI")
    await district(org, token, d)
    await add_area(org, token, d, 1)
    owner = headers(token, "partner", d, subject="hotline-a")
    endpoint = await register(org, owner, "http://127.0.0.1:9/hook")
    [delivery] = await insert_deliveries(org, endpoint["id"], status="dead", attempts=8,
                                         next_attempt_at=datetime.now(UTC) + timedelta(hours=1))
    base = f"/api/v1/webhooks/endpoints/{endpoint['id']}"
    since = {"since": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
    for intruder in (headers(token, "partner", d, subject="hotline-b"),        # same area
                     headers(token, "partner", f"{d}S1", subject="hotline-a-sub"),  # below it
                     headers(token, "partner", d)):                           # the area's default subject
        listed = await org.get("/api/v1/webhooks/endpoints", headers=intruder)
        assert listed.status_code == 200 and endpoint["id"] not in listed.text
        for method, url, body in (("GET", base, None), ("GET", f"{base}/deliveries", None),
                                  ("POST", f"/api/v1/webhooks/deliveries/{delivery}/resend", None),
                                  ("POST", f"{base}/replay", since), ("DELETE", base, None)):
            response = await org.request(method, url, headers=intruder, json=body)
            assert response.status_code == 404, (method, url, response.status_code, response.text)
            assert response.json()["type"] == PROBLEM + "not-found"
    # The owner and staff of the area keep their access; nothing was changed by the intruders.
    assert (await org.get(base, headers=owner)).json()["active"] is True
    assert endpoint["id"] in (await org.get("/api/v1/webhooks/endpoints", headers=owner)).text
    assert (await delivery_log(org, owner, endpoint["id"]))[0]["status"] == "dead"
    admin = headers(token, "district_admin", d)
    assert (await org.get(base, headers=admin)).status_code == 200
    assert endpoint["id"] in (await org.get("/api/v1/webhooks/endpoints", headers=admin)).text


# --- 3. deactivation ----------------------------------------------------------------------------------

async def test_deactivating_an_endpoint_cancels_its_queued_deliveries(org, token, unique_code):
    d = unique_code("SD")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    async with Receiver() as receiver:
        receiver.fail = True
        endpoint = await register(org, partner, receiver.url())
        for n in (1, 2):
            await add_area(org, token, d, n)

        async def retrying():
            log = await delivery_log(org, partner, endpoint["id"], status="pending")
            return len(log) >= 2 and any(x["attempts"] >= 1 for x in log)

        await eventually(retrying, timeout_s=60)
        assert (await org.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}", headers=partner)).status_code == 204
        assert {x["status"] for x in await delivery_log(org, partner, endpoint["id"])} == {"cancelled"}
        receiver.fail = False
        await add_area(org, token, d, 3)   # a new event finds no active endpoint
        await asyncio.sleep(3)
        assert receiver.received == []
        assert {x["status"] for x in await delivery_log(org, partner, endpoint["id"])} == {"cancelled"}
        resend = await org.post(f"/api/v1/webhooks/deliveries/"
                                f"{(await delivery_log(org, partner, endpoint['id']))[0]['id']}/resend", headers=partner)
        assert resend.status_code == 409 and resend.json()["type"] == PROBLEM + "webhook-endpoint-inactive"


async def test_the_dispatcher_checks_the_endpoint_is_active_before_each_send(org, token, unique_code):
    """A delivery that was queued as the endpoint was being deactivated (the consumer read the endpoint
    before the deactivation committed) is not sent either."""
    d = unique_code("SW")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    async with Receiver() as receiver:
        endpoint = await register(org, partner, receiver.url())
        async with org.app_state.db.sessions() as session, session.begin():
            await session.execute(update(partner_endpoints).where(partner_endpoints.c.id == endpoint["id"]).values(
                active=False))
        await insert_deliveries(org, endpoint["id"])

        async def settled():
            return [x["status"] for x in await delivery_log(org, partner, endpoint["id"]) if x["status"] != "pending"]

        assert await eventually(settled, timeout_s=30) == ["cancelled"]
        assert receiver.received == []


# --- 4. replay ----------------------------------------------------------------------------------------

async def test_replay_sends_only_what_occurred_since_the_given_time(org, token, unique_code):
    """On the embedded broker, offsets-for-times answers "nothing since then" with offset 0: a replay
    since a time after a partition's last event re-sent the whole partition."""
    d = unique_code("SY")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    async with Receiver() as receiver:
        endpoint = await register(org, partner, receiver.url())
        quiet = await register(org, partner, receiver.url(path="/status/204"))   # a second endpoint, not recorded
        for n in (1, 2):
            await add_area(org, token, d, n)

        async def two_delivered_since():
            found = [x["event_id"] for x in await delivery_log(org, partner, endpoint["id"], status="delivered")
                     if datetime.fromisoformat(x["occurred_at"]) >= since]
            return found if len(found) >= 2 else None

        # (The district's own creation may be delivered too: it raced the registration.)
        await eventually(lambda: asyncio.sleep(0, len(receiver.received) >= 2), timeout_s=60)
        await asyncio.sleep(0.5)
        since = datetime.now(UTC)
        await asyncio.sleep(0.5)
        for n in (3, 4):
            await add_area(org, token, d, n)
        later = set(await eventually(two_delivered_since, timeout_s=60))
        # Since a time after the district's last event: nothing (before the fix: all five again).
        await asyncio.sleep(0.5)
        nothing = await org.post(f"/api/v1/webhooks/endpoints/{quiet['id']}/replay", headers=partner,
                                 json={"since": datetime.now(UTC).isoformat()})
        assert nothing.status_code == 200 and nothing.json()["requeued"] == 0, nothing.text
        # Since a time between: the two events since then, not the district's creation and the first two
        # subdistricts too.
        before = len(receiver.received)
        response = await org.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay", headers=partner,
                                  json={"since": since.isoformat()})
        assert response.status_code == 200 and response.json()["requeued"] == 2, response.text
        await eventually(lambda: asyncio.sleep(0, len(receiver.received) >= before + 2), timeout_s=60)
        await asyncio.sleep(1)
        assert {r["webhook_id"] for r in receiver.received[before:]} == later
        assert nothing.json()["complete"] is True and response.json()["complete"] is True


async def test_replays_are_one_at_a_time_and_not_too_often(org, token, unique_code):
    d = unique_code("SZ")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    first = await register(org, partner, "http://127.0.0.1:9/first")
    second = await register(org, partner, "http://127.0.0.1:9/second")
    replay = "/api/v1/webhooks/endpoints/{}/replay"
    # Any time is a 200, however far back (the year 1 once took the broker's offsets below zero).
    ok = await org.post(replay.format(first["id"]), headers=partner, json={"since": "0001-01-01T00:00:00Z"})
    assert ok.status_code == 200, ok.text
    again = await org.post(replay.format(first["id"]), headers=partner, json={"since": datetime.now(UTC).isoformat()})
    assert again.status_code == 429, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["type"] == PROBLEM + "webhook-replay-too-soon"
    assert int(again.headers["retry-after"]) == again.json()["retry_after_s"] > 0
    # Two at once on one endpoint: one runs, the other is refused: while it runs (409), or, if it was
    # over before the second arrived, as too soon after it (429).
    both = await asyncio.gather(*(org.post(replay.format(second["id"]), headers=partner,
                                           json={"since": "2020-01-01T00:00:00Z"}) for _ in range(2)))
    codes = sorted(r.status_code for r in both)
    assert codes in ([200, 409], [200, 429]), [r.text for r in both]
    refused = next(r for r in both if r.status_code != 200).json()["type"]
    assert refused == PROBLEM + ("webhook-replay-in-progress" if codes[1] == 409 else "webhook-replay-too-soon")


# --- 5. caps ------------------------------------------------------------------------------------------

async def test_a_partner_may_hold_a_limited_number_of_endpoints(org, token, unique_code):
    limit = 20   # the default (yizhou.webhooks.config)
    d = unique_code("SN")
    await district(org, token, d)
    partner = headers(token, "partner", d, subject="busy-partner")
    held = [await register(org, partner, f"http://127.0.0.1:9/hook{i}") for i in range(limit)]
    refused = await org.post("/api/v1/webhooks/endpoints", headers=partner, json=endpoint_body("http://127.0.0.1:9/x"))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == PROBLEM + "webhook-endpoint-limit" and refused.json()["limit"] == limit
    # Another partner of the area is not affected; a deactivated endpoint frees a place.
    await register(org, headers(token, "partner", d, subject="quiet-partner"), "http://127.0.0.1:9/y")
    assert (await org.delete(f"/api/v1/webhooks/endpoints/{held[0]['id']}", headers=partner)).status_code == 204
    await register(org, partner, "http://127.0.0.1:9/z")


async def test_an_endpoint_queues_a_limited_number_of_deliveries(org, token, unique_code):
    """At the cap a new event is not queued: its delivery is logged as dropped (new ones are refused,
    the queue keeps the oldest, so the partner has everything up to a point and replays from there)."""
    limit = 1000   # the default (yizhou.webhooks.config)
    d = unique_code("SQ")
    await district(org, token, d)
    partner = headers(token, "partner", d)
    endpoint = await register(org, partner, "http://127.0.0.1:9/hook")
    later = datetime.now(UTC) + timedelta(hours=1)   # not due: the dispatcher leaves them alone
    await insert_deliveries(org, endpoint["id"], limit, next_attempt_at=later)
    [dead] = await insert_deliveries(org, endpoint["id"], status="dead", attempts=8)
    await add_area(org, token, d, 1)

    async def bodies(status: str) -> list[str]:
        async with org.app_state.db.sessions() as session:
            return list((await session.execute(select(webhook_deliveries.c.body).where(
                webhook_deliveries.c.endpoint_id == endpoint["id"], webhook_deliveries.c.status == status))).scalars())

    async def new_area_dropped():
        return any(f"{d}S1" in body for body in await bodies("dropped"))

    await eventually(new_area_dropped, timeout_s=60)
    drops = await delivery_log(org, partner, endpoint["id"], status="dropped")
    assert drops and all(x["last_error"] == "queue-full" and x["attempts"] == 0 for x in drops), drops
    pending = await bodies("pending")
    assert sum(1 for body in pending if body == '{"data": {}}') == limit  # the queue keeps the oldest
    # Besides them, only the district's own creation may have joined: it raced the registration and
    # may have been counted before the queue was filled. The event that came after the cap did not.
    others = [body for body in pending if body != '{"data": {}}']
    assert len(others) <= 1 and not any(f"{d}S1" in body for body in others), others
    for delivery_id in (dead, drops[0]["id"]):
        response = await org.post(f"/api/v1/webhooks/deliveries/{delivery_id}/resend", headers=partner)
        assert response.status_code == 409 and response.json()["type"] == PROBLEM + "webhook-queue-full", response.text
    replay = await org.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay", headers=partner,
                            json={"since": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()})
    # The district's creation, if it is pending, is sent again from its first attempt; nothing is added.
    assert replay.status_code == 200 and replay.json() == {"requeued": len(others), "complete": False}, replay.text
