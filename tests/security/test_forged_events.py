"""Forged events on the area topic change no read copy of the axis.

The reviewer's attack: an `area.created` written to `yizhou.areas.v1` by someone other than
org-registry (path `/<district>/`) was applied by all three read copies, and a grid_worker token for
the fake area then listed the district's demands. The rules held here:

- an event whose CloudEvents `source` is not its topic's publisher (`yizhou.topic_owners`) is
  dead-lettered by every consumer, with the reason, and applied by none;
- an `area.created` for a code a copy knows at another place is refused, not an overwrite (the same
  event again is a no-op: it neither renames nor un-retires);
- an area whose path is not its parent's path plus its own code (a district's: `/<code>/`) is refused.

The first three tests run on the security platform (the four services as processes): each read copy
is read back from its own database and each consumer group's dead letters from the dead-letter topic.
The others run one consumer against a database, for what lies around the rules (the batch path,
redeliveries, an unknown parent, moves) and the owner table against what each service publishes.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import get_type_hints

import demand_intake
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from demand_intake.settings import Settings
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from yizhou.bus import kafka_options
from yizhou.axis_copy import AXIS_COPY_SUBSCRIPTIONS, area_copy
from yizhou.axis_events import AREAS_TOPIC
from yizhou.consumer import EventConsumer, Subscription
from yizhou.database import Database
from yizhou_platform.event_catalogue import event_sets
from yizhou.events import dead_letter_topic
from yizhou_platform.launcher import SERVICES
from yizhou.messaging_tables import inbox
from yizhou.migrations import upgrade_to_head
from yizhou.partner import _PROJECTIONS, partner_topics
from yizhou_platform.testing import eventually
from yizhou.topic_owners import ORG_REGISTRY, TOPIC_OWNERS, UnownedTopic, owner_of, service_source

pytestmark = pytest.mark.security
READ_COPIES = ("demand-intake", "project-matching", "dual-registration")
PACKAGES = {s.name: s.package for s in SERVICES}
REPO = Path(__file__).resolve().parents[2]
COLUMNS = ("path", "parent_code", "level", "name", "retired")
RETIRED_AT = "2026-01-01T00:00:00Z"


def cloud_event(source: str, data: dict, event_type: str = "area.created") -> tuple[str, bytes, list]:
    event_id = str(uuid.uuid4())
    headers = [("ce_id", event_id.encode()), ("ce_source", source.encode()), ("ce_type", event_type.encode()),
               ("ce_specversion", b"1.0"), ("content-type", b"application/json")]
    return event_id, json.dumps(data).encode(), headers


def created(code: str, level: str, parent: str | None, path: str, name: str | None = None) -> dict:
    return {"code": code, "name": name or f"Forged {code}", "level": level, "parent_code": parent, "path": path}


# --- end to end: the four services as processes, one broker -----------------------------------

def database_url(service_env: dict[str, str], package: str) -> str:
    if service_env.get("DATABASE_URL"):
        return make_url(service_env["DATABASE_URL"]).set(database=package).render_as_string(hide_password=False)
    return f"sqlite+aiosqlite:///{(Path(service_env['YIZHOU_DATA_DIR']) / f'{package}.db').resolve()}"


async def copy_rows(service_env, code: str) -> dict[str, dict | None]:
    """The area's row in each read copy, straight from each service's database."""
    rows = {}
    for service in READ_COPIES:
        engine = create_async_engine(database_url(service_env, PACKAGES[service]))
        try:
            async with engine.connect() as conn:
                row = (await conn.execute(select(area_copy).where(area_copy.c.code == code))).first()
        finally:
            await engine.dispose()
        rows[service] = None if row is None else {k: row._mapping[k] for k in COLUMNS}
    return rows


async def in_every_copy(service_env, code: str) -> bool:
    rows = await copy_rows(service_env, code)
    assert all(rows.values()), rows
    return True


@pytest.fixture
async def district(security_platform, service_env, token, unique_code):
    """A district of the test's own, made through org-registry and in every read copy:
    D > S1 > C > G, and D > S2."""
    d = unique_code("Q")
    codes = {"d": d, "s1": f"{d}S1", "s2": f"{d}S2", "c": f"{d}C", "g": f"{d}G"}
    paths = {"d": f"/{d}/", "s1": f"/{d}/{d}S1/", "s2": f"/{d}/{d}S2/", "c": f"/{d}/{d}S1/{d}C/",
             "g": f"/{d}/{d}S1/{d}C/{d}G/"}
    headers = {"Authorization": f"Bearer {token('district_admin', d)}"}
    async with httpx.AsyncClient(base_url=security_platform["org-registry"].url, timeout=30) as org:
        for code, level, parent in ((d, "district", None), (codes["s1"], "subdistrict", d),
                                    (codes["s2"], "subdistrict", d), (codes["c"], "community", codes["s1"]),
                                    (codes["g"], "grid", codes["c"])):
            r = await org.post("/api/v1/areas", json={"code": code, "name": f"Area {code}", "level": level,
                                                      **({"parent_code": parent} if parent else {})}, headers=headers)
            assert r.status_code == 201, r.text
    await eventually(lambda: in_every_copy(service_env, codes["g"]), timeout_s=60)
    return SimpleNamespace(codes=codes, paths=paths, headers=headers, platform=security_platform)


async def publish(bootstrap: str, key: str, events: list[tuple[str, bytes, list]]) -> None:
    """With the district's key: the partition org-registry's own events of that district take, in order."""
    producer = AIOKafkaProducer(**kafka_options(bootstrap))
    await producer.start()
    try:
        for _, value, headers in events:
            await producer.send_and_wait(AREAS_TOPIC, value, key=key.encode(), headers=headers)
    finally:
        await producer.stop()


async def settle(service_env, district, code: str) -> None:
    """A real area made through org-registry after the forged events, on their partition: once every
    copy has it, every copy has taken or refused everything sent before it."""
    async with httpx.AsyncClient(base_url=district.platform["org-registry"].url, timeout=30) as org:
        r = await org.post("/api/v1/areas", json={"code": code, "name": f"After {code}", "level": "grid",
                                                  "parent_code": district.codes["c"]}, headers=district.headers)
        assert r.status_code == 201, r.text
    await eventually(lambda: in_every_copy(service_env, code), timeout_s=60)


async def dead_letters(service_env, event_ids: list[str]) -> dict[tuple[str, str], str]:
    """(read copy, event id) -> the dead-letter reason, once each read copy's consumer group has
    dead-lettered each of these events."""
    groups = {service + service_env["CONSUMER_GROUP_SUFFIX"]: service for service in READ_COPIES}
    wanted = set(event_ids)
    found: dict[tuple[str, str], str] = {}
    reader = AIOKafkaConsumer(dead_letter_topic(AREAS_TOPIC), **kafka_options(service_env["KAFKA_BOOTSTRAP_SERVERS"]),
                              group_id=f"forged-dlq-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest")
    await reader.start()
    try:
        async def all_there():
            for records in (await reader.getmany(timeout_ms=1000)).values():
                for r in records:
                    h = dict(r.headers)
                    event_id, group = h.get("ce_id", b"").decode(), h.get("dlq_consumer", b"").decode()
                    if event_id in wanted and group in groups:
                        found[(groups[group], event_id)] = h["dlq_reason"].decode()
            return len(found) == len(groups) * len(wanted)

        await eventually(all_there, timeout_s=60, interval_s=0)
    finally:
        await reader.stop()
    return found


async def test_an_area_event_from_another_source_is_dead_lettered_by_every_copy(district, service_env, token,
                                                                                unique_code):
    d, c = district.codes["d"], district.codes["c"]
    fake, fake_grid = unique_code("FAKE"), unique_code("FAKE")
    forged = [
        # The reviewer's event: a fake area whose path is the whole district.
        cloud_event("/attacker", created(fake, "grid", None, f"/{d}/")),
        # Well formed in every other way, from a real service that does not own the axis.
        cloud_event("/yizhou/demand-intake", created(fake_grid, "grid", c, f"{district.paths['c']}{fake_grid}/")),
    ]
    di = district.platform["demand-intake"].url
    async with httpx.AsyncClient(base_url=di, timeout=30) as api:   # a demand in the district, to be seen or not
        r = await api.post("/api/v1/demands", json={
            "channel": "hotline", "category": "elderly_care", "urgency": "normal", "description": "楼道灯坏了",
            "area_code": district.codes["g"]}, headers={**district.headers, "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 201, r.text
    await publish(service_env["KAFKA_BOOTSTRAP_SERVERS"], d, forged)
    await settle(service_env, district, unique_code("OK"))

    # The fake area opens no scope: a token for it is refused, not shown the district's demands.
    async with httpx.AsyncClient(base_url=di, timeout=30) as api:
        r = await api.get("/api/v1/demands", headers={"Authorization": f"Bearer {token('grid_worker', fake)}"})
    assert r.status_code == 403 and r.json()["type"].endswith("out-of-scope"), (
        f"{r.status_code}: {len(r.json().get('items', []))} demand(s) of the district listed for the fake area")
    assert await copy_rows(service_env, fake) == {s: None for s in READ_COPIES}
    assert await copy_rows(service_env, fake_grid) == {s: None for s in READ_COPIES}

    reasons = await dead_letters(service_env, [event_id for event_id, _, _ in forged])
    for (service, event_id), reason in reasons.items():
        source = "/attacker" if event_id == forged[0][0] else "/yizhou/demand-intake"
        assert reason.startswith("UntrustedSource:") and source in reason and ORG_REGISTRY in reason, (service, reason)


async def test_an_area_created_for_a_known_code_at_another_path_changes_no_copy(district, service_env, unique_code):
    d, c = district.codes["d"], district.codes["c"]
    before = {code: await copy_rows(service_env, code) for code in (c, district.codes["g"])}
    forged = [
        # From the owner's source (spoofed, or a bug): the community "created" again under S2.
        cloud_event(ORG_REGISTRY, created(c, "community", district.codes["s2"], f"{district.paths['s2']}{c}/")),
        # ... and as a district of its own.
        cloud_event(ORG_REGISTRY, created(c, "district", None, f"/{c}/")),
    ]
    again = cloud_event(ORG_REGISTRY, created(c, "community", district.codes["s1"], district.paths["c"],
                                              name=f"Area {c}"))   # the same fact again, new id: a no-op
    await publish(service_env["KAFKA_BOOTSTRAP_SERVERS"], d, [again, *forged])
    await settle(service_env, district, unique_code("OK"))

    assert {code: await copy_rows(service_env, code) for code in before} == before
    assert all(row["path"] == district.paths["c"] for row in before[c].values())
    reasons = await dead_letters(service_env, [event_id for event_id, _, _ in forged])
    assert all(r.startswith("UnprocessableEvent:") and "already" in r and district.paths["c"] in r
               for r in reasons.values()), reasons
    assert await claimed_by(service_env, again[0]) == set(READ_COPIES)   # applied (as a no-op), not refused


async def claimed_by(service_env, event_id: str) -> set[str]:
    """The read copies whose inbox holds this event: those that applied it (a refused one rolls back)."""
    services = set()
    for service in READ_COPIES:
        engine = create_async_engine(database_url(service_env, PACKAGES[service]))
        try:
            async with engine.connect() as conn:
                if (await conn.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id))).first():
                    services.add(service)
        finally:
            await engine.dispose()
    return services


async def test_an_area_whose_path_is_not_under_its_parent_is_refused(district, service_env, unique_code):
    d, s1, c = (district.codes[k] for k in ("d", "s1", "c"))
    under_s1, beside_s1, district_like, gridless = (unique_code("BAD") for _ in range(4))
    forged = [
        # Parent S1, but S1 of another district in the path: filed in another subtree than its parent's.
        cloud_event(ORG_REGISTRY, created(under_s1, "community", s1, f"/{unique_code('Z')}/{s1}/{under_s1}/")),
        # Parent S1, path under S2.
        cloud_event(ORG_REGISTRY, created(beside_s1, "community", s1, f"{district.paths['s2']}{beside_s1}/")),
        # A "district" at an existing district's path (the reviewer's path, with the owner's source).
        cloud_event(ORG_REGISTRY, created(district_like, "district", None, f"/{d}/")),
        # A grid whose path names neither its parent nor itself last.
        cloud_event(ORG_REGISTRY, created(gridless, "grid", c, f"{district.paths['c']}")),
    ]
    await publish(service_env["KAFKA_BOOTSTRAP_SERVERS"], d, forged)
    await settle(service_env, district, unique_code("OK"))

    for code in (under_s1, beside_s1, district_like, gridless):
        assert await copy_rows(service_env, code) == {s: None for s in READ_COPIES}, code
    reasons = await dead_letters(service_env, [event_id for event_id, _, _ in forged])
    assert all(r.startswith("UnprocessableEvent:") for r in reasons.values()), reasons
    assert all(f"not its parent {s1}'s path {district.paths['s1']} plus its code" in reasons[(s, forged[0][0])]
               for s in READ_COPIES), reasons


# --- one consumer against a database ---------------------------------------------------------

class DeadLetterBox:
    """Takes the place of the producer the runner dead-letters through, and keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[SimpleNamespace] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        self.sent.append(SimpleNamespace(topic=topic, value=value, key=key, headers=dict(headers or ())))

    def reasons(self) -> dict[str, str]:
        return {m.headers["ce_id"].decode(): m.headers["dlq_reason"].decode() for m in self.sent}


@pytest.fixture
async def copy(make_settings, tmp_path):
    """demand-intake's axis copy and inbox in a database of the test's own, with the runner the
    services use on `AXIS_COPY_SUBSCRIPTIONS`."""
    db = Database(make_settings(Settings, data_dir=tmp_path).resolved_database_url)
    await upgrade_to_head(db.engine, Path(demand_intake.__file__).parent / "migrations")
    box = DeadLetterBox()
    consumer = EventConsumer(db, access="unused:9092", group=f"forged-{uuid.uuid4().hex[:8]}",
                             subscriptions=AXIS_COPY_SUBSCRIPTIONS, producer=box)
    offsets = iter(range(10**6))

    def record(source: str, data: dict, event_type: str = "area.created", topic: str = AREAS_TOPIC):
        event_id, value, headers = cloud_event(source, data, event_type)
        return SimpleNamespace(topic=topic, partition=0, offset=next(offsets), key=b"k", value=value,
                               headers=headers, id=event_id)

    async def row(code: str):
        async with db.sessions() as session:
            found = (await session.execute(select(area_copy).where(area_copy.c.code == code))).first()
        return None if found is None else {k: found._mapping[k] for k in COLUMNS}

    async def claimed(event_id: str) -> bool:
        async with db.sessions() as session:
            return (await session.execute(select(inbox.c.event_id).where(
                inbox.c.consumer == consumer._group, inbox.c.event_id == event_id))).first() is not None

    yield SimpleNamespace(db=db, consumer=consumer, box=box, record=record, row=row, claimed=claimed)
    await db.dispose()


async def make_tree(copy, d: str) -> dict[str, str]:
    paths = {d: f"/{d}/", f"{d}S1": f"/{d}/{d}S1/", f"{d}S2": f"/{d}/{d}S2/", f"{d}C": f"/{d}/{d}S1/{d}C/"}
    levels = {d: ("district", None), f"{d}S1": ("subdistrict", d), f"{d}S2": ("subdistrict", d),
              f"{d}C": ("community", f"{d}S1")}
    for code, (level, parent) in levels.items():
        event = copy.record(ORG_REGISTRY, created(code, level, parent, paths[code]))
        assert await copy.consumer.process(event) == "applied"
    return paths


async def test_the_batch_path_refuses_a_foreign_source_and_applies_the_rest(copy, unique_code):
    d = unique_code("B")
    batch = [copy.record(ORG_REGISTRY, created(d, "district", None, f"/{d}/")),
             copy.record("/yizhou/project-matching", created(f"{d}X", "district", None, f"/{d}X/")),
             copy.record(ORG_REGISTRY, created(f"{d}S", "subdistrict", d, f"/{d}/{d}S/"))]
    assert await copy.consumer.process_batch(batch) == ["applied", "dead_lettered", "applied"]
    assert await copy.row(f"{d}X") is None and (await copy.row(f"{d}S"))["path"] == f"/{d}/{d}S/"
    assert not await copy.claimed(batch[1].id)   # never claimed: the owner's event with that id would still apply
    [letter] = copy.box.sent
    assert letter.topic == dead_letter_topic(AREAS_TOPIC) and letter.headers["ce_id"].decode() == batch[1].id
    assert copy.box.reasons()[batch[1].id] == (
        f"UntrustedSource: source '/yizhou/project-matching' does not publish {AREAS_TOPIC} "
        f"(its events come from {ORG_REGISTRY})")


async def test_renames_moves_and_retirements_from_another_source_are_refused(copy, unique_code):
    d = unique_code("A")
    paths = await make_tree(copy, d)
    c = f"{d}C"
    changes = [("area.updated", {"code": c, "name": "Renamed", "path": paths[c]}),
               ("area.moved", {"code": c, "old_parent_code": f"{d}S1", "new_parent_code": f"{d}S2",
                               "old_path": paths[c], "new_path": f"{paths[f'{d}S2']}{c}/"}),
               ("area.retired", {"code": c, "path": paths[c], "retired_at": "2026-01-01T00:00:00Z"})]
    for event_type, data in changes:
        event = copy.record("/yizhou/dual-registration", data, event_type)
        assert await copy.consumer.process(event) == "dead_lettered"
    assert await copy.row(c) == {"path": paths[c], "parent_code": f"{d}S1", "level": "community",
                                 "name": f"Forged {c}", "retired": False}


async def test_the_same_area_created_again_is_a_no_op_even_for_a_retired_area(copy, unique_code):
    d = unique_code("R")
    paths = await make_tree(copy, d)
    c = f"{d}C"
    retired = copy.record(ORG_REGISTRY, {"code": c, "path": paths[c], "retired_at": RETIRED_AT}, "area.retired")
    renamed = copy.record(ORG_REGISTRY, {"code": c, "name": "Elm", "path": paths[c]}, "area.updated")
    assert [await copy.consumer.process(r) for r in (renamed, retired)] == ["applied", "applied"]
    again = copy.record(ORG_REGISTRY, created(c, "community", f"{d}S1", paths[c]))   # new id, the original content
    assert await copy.consumer.process(again) == "applied" and not copy.box.sent
    assert await copy.row(c) == {"path": paths[c], "parent_code": f"{d}S1", "level": "community", "name": "Elm",
                                 "retired": True}   # before: renamed back and un-retired by the old fact


async def test_a_child_before_its_parent_is_taken_when_its_path_is_consistent(copy, unique_code):
    """Area events of a district share one key (one partition, in order), so a parent precedes its
    children; a child whose parent the copy does not know (yet) is not refused for that alone, since a
    redriven dead letter or a second relay replica can reorder them. Its path still has to name its
    parent and itself at its level's depth."""
    d = unique_code("U")
    paths = await make_tree(copy, d)
    orphan = copy.record(ORG_REGISTRY, created(f"{d}G", "grid", f"{d}C9", f"/{d}/{d}S1/{d}C9/{d}G/"))
    assert await copy.consumer.process(orphan) == "applied"
    shallow = copy.record(ORG_REGISTRY, created(f"{d}H", "grid", f"{d}C9", f"/{d}/{d}C9/{d}H/"))    # a grid at depth 3
    misnamed = copy.record(ORG_REGISTRY, created(f"{d}K", "grid", f"{d}C9", f"/{d}/{d}S1/{d}C8/{d}K/"))
    wrong_level = copy.record(ORG_REGISTRY, created(f"{d}L", "grid", f"{d}S1", f"{paths[f'{d}S1']}{d}L/"))
    for bad in (shallow, misnamed, wrong_level):
        assert await copy.consumer.process(bad) == "dead_lettered"
    assert [await copy.row(code) for code in (f"{d}H", f"{d}K", f"{d}L")] == [None, None, None]
    reasons = copy.box.reasons()
    assert "a grid lies 4 level(s) down the axis" in reasons[shallow.id] and reasons[wrong_level.id].startswith(
        f"UnprocessableEvent: area {d}L: a grid lies 4 level(s) down the axis, "
        f"but its path {paths[f'{d}S1']}{d}L/ has 3")
    assert f"puts it under {d}C8, not under its parent {d}C9" in reasons[misnamed.id]


async def test_a_move_must_start_where_the_copy_has_the_area(copy, unique_code):
    d = unique_code("M")
    paths = await make_tree(copy, d)
    c, s2 = f"{d}C", f"{d}S2"
    forged = [
        # "Everything under / now lies under /<d>/<S2>/": every path of the copy rewritten.
        {"code": c, "old_parent_code": f"{d}S1", "new_parent_code": s2, "old_path": "/",
         "new_path": f"{paths[s2]}{c}/"},
        # The area is elsewhere in the copy than the move says it was.
        {"code": c, "old_parent_code": s2, "new_parent_code": f"{d}S1", "old_path": f"{paths[s2]}{c}/",
         "new_path": paths[c]},
        # Onto a parent whose path is not the new path's.
        {"code": c, "old_parent_code": f"{d}S1", "new_parent_code": s2, "old_path": paths[c],
         "new_path": f"/{d}/{d}S9/{c}/"},
        # A whole district under another one.
        {"code": d, "old_parent_code": "", "new_parent_code": s2, "old_path": paths[d], "new_path": f"{paths[s2]}{d}/"},
    ]
    for data in forged:
        assert await copy.consumer.process(copy.record(ORG_REGISTRY, data, "area.moved")) == "dead_lettered", data
    assert (await copy.row(c))["path"] == paths[c] and (await copy.row(d))["path"] == paths[d]
    real = {"code": c, "old_parent_code": f"{d}S1", "new_parent_code": s2, "old_path": paths[c],
            "new_path": f"{paths[s2]}{c}/"}
    assert await copy.consumer.process(copy.record(ORG_REGISTRY, real, "area.moved")) == "applied"
    assert (await copy.row(c))["path"] == f"{paths[s2]}{c}/" and (await copy.row(c))["parent_code"] == s2


async def test_a_rename_or_retirement_of_an_area_at_another_path_is_refused(copy, unique_code):
    d = unique_code("N")
    paths = await make_tree(copy, d)
    c = f"{d}C"
    elsewhere = f"{paths[f'{d}S2']}{c}/"
    assert await copy.consumer.process(copy.record(ORG_REGISTRY, {"code": c, "name": "X", "path": elsewhere},
                                                   "area.updated")) == "dead_lettered"
    retire = copy.record(ORG_REGISTRY, {"code": c, "path": elsewhere, "retired_at": RETIRED_AT}, "area.retired")
    assert await copy.consumer.process(retire) == "dead_lettered"
    row = await copy.row(c)
    assert row["name"] == f"Forged {c}" and row["retired"] is False


# --- who publishes what ----------------------------------------------------------------------

def test_every_published_topic_has_its_publisher_as_owner():
    """The owner table against what each service declares it publishes (`PUBLISHED_EVENTS`), the
    `SOURCE` its use cases record events with, and each partner projection's internal events."""
    publishers = {}
    for event_set in event_sets():
        if event_set.publisher == "partner":
            continue
        for event in event_set.events:
            assert owner_of(event.topic) == service_source(event_set.publisher), (event.event_type, event.topic)
            publishers[event.event_type] = event_set.publisher
    for spec in SERVICES:   # every `SOURCE = "..."` in a service's code names that service
        package = REPO / "services" / spec.name / spec.package
        for path in package.rglob("*.py"):
            for value in re.findall(r'^SOURCE\s*=\s*"([^"]*)"', path.read_text(encoding="utf-8"), re.MULTILINE):
                assert value == service_source(spec.name), (path, value)
    for topic in partner_topics():
        assert owner_of(topic), topic
    for internal_type, projections in _PROJECTIONS.items():   # a partner event goes out with its internal event
        for projection in projections:
            topic = get_type_hints(projection)["return"].topic
            assert owner_of(topic) == service_source(publishers[internal_type]), (internal_type, topic)
    assert set(TOPIC_OWNERS.values()) == {service_source(s.name) for s in SERVICES}


def test_a_subscription_needs_an_owned_topic_or_its_sources():
    async def handler(session, event):
        return None

    with pytest.raises(UnownedTopic):
        Subscription("yizhou.nobody.v1", "thing.happened", handler)
    assert Subscription("yizhou.nobody.v1", "thing.happened", handler, sources=frozenset({"/t"})).sources == {"/t"}
    assert Subscription(AREAS_TOPIC, "area.created", handler).sources == {ORG_REGISTRY}


@pytest.mark.parametrize("source,replayed", [("/yizhou/demand-intake", True), ("/attacker", False),
                                             ("/yizhou/org-registry", False)])
def test_a_webhook_replay_sends_only_what_the_topic_owner_published(source, replayed):
    """Replay reads partner topics directly (not through a consumer): a record another writer put there
    must not reach partners signed by the platform."""
    from yizhou.webhooks.replay import _matching

    value = json.dumps({"demand_id": "d-1", "area_path": "/CY/CY01/", "change": "demand.submitted"}).encode()
    headers = [("ce_id", b"e-1"), ("ce_source", source.encode()), ("ce_type", b"partner.demand.changed"),
               ("ce_specversion", b"1.0"), ("ce_time", b"2026-11-01T08:00:00Z")]
    record = SimpleNamespace(topic="yizhou.partner.demands.v1", partition=0, offset=0, key=b"d-1", value=value,
                             headers=headers, timestamp=None)
    endpoint = SimpleNamespace(event_types={"partner.demand.changed"}, area_path="/CY/")
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert (_matching(endpoint, record, since, int(since.timestamp() * 1000)) is not None) is replayed
