"""Pure pieces of the shared library: settings, the CloudEvents envelope, tokens."""

import time
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest

from demand_intake.settings import Settings as DemandSettings
from org_registry.settings import Settings as OrgSettings
import yizhou.auth
from yizhou.auth import Role, decode_token, mint_token
from yizhou.envelope import MalformedEvent, from_kafka_record, to_kafka_message
from yizhou.errors import Unauthenticated


def test_database_url_per_service_wins_then_server_then_sqlite(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("YIZHOU_DATA_DIR", str(tmp_path))
    assert OrgSettings().resolved_database_url == f"sqlite+aiosqlite:///{tmp_path}/org_registry.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/postgres")
    assert OrgSettings().resolved_database_url == "postgresql+asyncpg://u:p@db:5432/org_registry"
    assert DemandSettings().resolved_database_url == "postgresql+asyncpg://u:p@db:5432/demand_intake"
    monkeypatch.setenv("DEMAND_INTAKE_DATABASE_URL", "postgresql+asyncpg://x@other/di")
    assert DemandSettings().resolved_database_url == "postgresql+asyncpg://x@other/di"
    assert OrgSettings().resolved_database_url.endswith("/org_registry")


def _record(msg, topic="t"):
    key = msg.key.encode() if isinstance(msg.key, str) else msg.key
    return SimpleNamespace(topic=topic, partition=0, offset=7, key=key, value=msg.value,
                           headers=list(msg.headers.items()))


def test_outbox_row_round_trips_as_a_binary_cloudevent():
    row = SimpleNamespace(event_id=str(uuid.uuid4()), source="/yizhou/org-registry", event_type="area.created",
                          subject="CY01", occurred_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), aggregate_id="CY",
                          data={"code": "CY01", "name": "名字"})
    msg = to_kafka_message(row)
    assert msg.key == "CY"
    assert msg.headers["ce_type"] == b"area.created" and msg.headers["ce_specversion"] == b"1.0"
    event = from_kafka_record(_record(msg))
    assert (event.id, event.type, event.subject, event.data) == (row.event_id, "area.created", "CY01", row.data)
    assert event.time == row.occurred_at


@pytest.mark.parametrize("value,headers", [
    (b"\xff\xfe not json", []),
    (b"[1, 2]", [("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")]),
    (b"{}", [("ce_source", b"/s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")]),
])
def test_unreadable_records_are_malformed(value, headers):
    with pytest.raises(MalformedEvent):
        from_kafka_record(SimpleNamespace(topic="t", partition=0, offset=0, key=None, value=value, headers=headers))


def test_tokens_carry_role_and_area_and_are_checked():
    caller = decode_token("s" * 32, mint_token("s" * 32, role="grid_worker", area="CY0100101"))
    assert caller.role == Role.GRID_WORKER and caller.area == "CY0100101"
    with pytest.raises(Unauthenticated) as expired:
        decode_token("s" * 32, mint_token("s" * 32, role="resident", area="CY", ttl_s=-1))
    assert expired.value.slug == "unauthenticated"
    with pytest.raises(Unauthenticated):
        decode_token("s" * 32, mint_token("t" * 32, role="resident", area="CY"))
    with pytest.raises(ValueError):
        mint_token("s" * 32, role="emperor", area="CY")


def test_a_verified_token_is_remembered_until_it_expires_and_only_for_its_secret(monkeypatch):
    calls = []
    real = yizhou.auth.jwt.decode
    monkeypatch.setattr(yizhou.auth.jwt, "decode", lambda *a, **k: calls.append(1) or real(*a, **k))
    token = mint_token("s" * 32, role="grid_worker", area="CY0100101", ttl_s=1)
    assert decode_token("s" * 32, token) == decode_token("s" * 32, token)
    assert len(calls) == 1  # the second answer came from memory
    with pytest.raises(Unauthenticated):  # the same token checked against another secret is checked, and fails
        decode_token("t" * 32, token)
    with pytest.raises(Unauthenticated):
        decode_token("t" * 32, token)
    assert len(calls) == 3  # a failure is never kept
    time.sleep(1.1)
    with pytest.raises(Unauthenticated) as expired:  # remembered, but expired now
        decode_token("s" * 32, token)
    assert "expired" in expired.value.detail


async def test_the_callers_area_path_is_kept_briefly_and_unknown_areas_are_not(monkeypatch):
    """get_scope reads the caller's path once per SCOPE_PATH_TTL_S; an area not (yet) on the axis is asked
    again on the next request (its copy may arrive any moment)."""
    import contextlib
    from types import SimpleNamespace

    import pytest

    from yizhou import dependencies
    from yizhou.auth import Caller, Role
    from yizhou.problems import Problem

    reads: list[str] = []
    axis = {"D1": "/D1/"}

    async def area_paths(session, code):
        reads.append(code)
        return axis.get(code)

    class Db:
        @contextlib.asynccontextmanager
        async def sessions(self):
            yield None

    state = SimpleNamespace(db=Db(), area_paths=area_paths, scope_paths={})
    request = SimpleNamespace(app=SimpleNamespace(state=state))
    clock = [100.0]
    monkeypatch.setattr(dependencies.time, "monotonic", lambda: clock[0])
    caller = Caller(subject="u", role=Role.DISTRICT_ADMIN, area="D1")

    assert (await dependencies.get_scope(request, caller)).path == "/D1/"
    await dependencies.get_scope(request, caller)
    assert reads == ["D1"]                                    # kept
    clock[0] += dependencies.SCOPE_PATH_TTL_S
    axis["D1"] = "/D0/D1/"                                     # moved meanwhile
    assert (await dependencies.get_scope(request, caller)).path == "/D0/D1/" and reads == ["D1", "D1"]

    newcomer = Caller(subject="v", role=Role.DISTRICT_ADMIN, area="D2")
    for _ in range(2):
        with pytest.raises(Problem):
            await dependencies.get_scope(request, newcomer)
    axis["D2"] = "/D2/"
    assert (await dependencies.get_scope(request, newcomer)).path == "/D2/"
    assert reads == ["D1", "D1", "D2", "D2", "D2"]            # the unknown area was asked each time


async def test_the_demo_loaders_ask_again_when_a_service_answers_503():
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from yizhou_platform.demo_district import RetryWhenUnavailable

    bodies: list[bytes] = []

    async def busy_twice(request: Request):
        bodies.append(await request.body())
        if len(bodies) <= 2:
            return JSONResponse({"type": "urn:yizhou:problem:unavailable"}, status_code=503)
        return JSONResponse({"ok": True}, status_code=201)

    app = Starlette(routes=[Route("/things", busy_twice, methods=["POST"])])
    retrying = RetryWhenUnavailable(attempts=3, pause_s=0.01, inner=httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=retrying, base_url="http://demo") as client:
        response = await client.post("/things", json={"n": 1})
    assert response.status_code == 201 and bodies == [b'{"n":1}'] * 3   # the body sent again each time
    bodies.clear()
    give_up = RetryWhenUnavailable(attempts=2, pause_s=0.01, inner=httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=give_up, base_url="http://demo") as client:
        assert (await client.post("/things", json={"n": 2})).status_code == 503   # the last answer, after 2 tries
