"""The steady write stream the failure tests run while they break things, and the ledger that counts
what happened to every write: sent, acknowledged, delivered to each consumer, duplicates, lost.

Two kinds of write go out in turn: an area (org-registry; its `area.created` event feeds the read
copies of the three other services) and a demand (demand-intake; its `demand.submitted` event feeds
demand-intake's own rates facts through the broker).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

from yizhou.messaging_tables import inbox, outbox
from yizhou_platform.testing import eventually

AREA_READERS = ("demand-intake", "project-matching", "dual-registration")
DEMAND_READERS = ("demand-intake",)


@dataclass
class Write:
    kind: str  # "area" | "demand"
    key: str  # area code, or the demand id once acknowledged
    phase: str
    status: int | None  # None: no answer at all (timeout, connection refused)
    seconds: float
    body: dict | None = None
    request: tuple[str, dict, dict] | None = None  # url, json, headers: what a retry sends again
    resolved: int | None = None  # the answer to the retry of a refused write (see WriteStream.resolve)


@dataclass
class WriteStream:
    org_url: str
    demand_url: str
    headers: dict[str, str]
    district: str
    community: str
    interval_s: float = 0.05
    phase: str = "before"
    writes: list[Write] = field(default_factory=list)
    _n: int = 0

    def acked(self, kind: str | None = None, phase: str | None = None) -> list[Write]:
        """The writes the client holds an acknowledgement for: answered 2xx at once, or on the retry
        of a refused one (`resolve`)."""
        return [w for w in self.writes if (w.status in (200, 201) or w.resolved in (200, 201))
                and (kind is None or w.kind == kind) and (phase is None or w.phase == phase)]

    def refused(self) -> list[Write]:
        """The writes first answered with anything but 2xx (their retry's answer aside)."""
        return [w for w in self.writes if w.status not in (200, 201)]

    async def _one(self, client: httpx.AsyncClient) -> None:
        self._n += 1
        phase, started = self.phase, time.monotonic()
        if self._n % 2:
            code = f"{self.district}G{self._n:05d}"
            url, body = f"{self.org_url}/api/v1/areas", {"code": code, "name": f"Grid {code}", "level": "grid",
                                                         "parent_code": self.community}
        else:
            code = None
            url, body = f"{self.demand_url}/api/v1/demands", {
                "channel": "hotline", "category": "elderly_care", "urgency": "normal",
                "description": f"楼道灯坏了 {uuid.uuid4().hex[:6]}", "area_code": self.community}
        headers = dict(self.headers) if code else {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        try:
            response = await client.post(url, json=body, headers=headers)
            status = response.status_code
            if status == 201 and code is None:
                code = response.json()["demand"]["id"]
            payload = None if status in (200, 201) else response.json()
        except httpx.HTTPError:
            status, payload = None, None
        self.writes.append(Write("area" if url.endswith("/areas") else "demand", code or "", phase, status,
                                 time.monotonic() - started, payload, (url, body, headers)))

    async def resolve(self) -> None:
        """Sends every refused write once more, as a client does once the service is back. A write
        refused while its database went away may have committed all the same (the commit reached the
        server, its answer did not: in doubt), and its events are then delivered like any other; the
        retry settles which: a demand's Idempotency-Key answers the stored 201, an area that exists
        answers 409 `duplicate`. Either way the client now holds an acknowledgement."""
        async with httpx.AsyncClient(timeout=30) as client:
            for write in self.refused():
                url, body, headers = write.request
                response = await client.post(url, json=body, headers=headers)
                answer = response.json()
                if write.kind == "area" and response.status_code == 409 and answer["type"].endswith(":duplicate"):
                    write.resolved = 200
                else:
                    write.resolved = response.status_code
                    if write.kind == "demand" and response.status_code == 201:
                        write.key = answer["demand"]["id"]

    async def run(self, stop: asyncio.Event) -> None:
        # One write at a time: a steady stream, each answer awaited (a hang would show as a slow write).
        async with httpx.AsyncClient(timeout=30) as client:
            while not stop.is_set():
                await self._one(client)
                await asyncio.sleep(self.interval_s)

    async def until(self, count: int, phase: str | None = None) -> None:
        """Waits until `count` writes of `phase` (default: the current one) have been answered."""
        phase = phase or self.phase
        while sum(1 for w in self.writes if w.phase == phase) < count:
            await asyncio.sleep(0.05)


# Every scenario's figures, also printed in pytest's terminal summary (so CI logs show them uncaptured).
FIGURES: list[str] = []


def print_ledger(title: str, rows: dict[str, dict[str, int]]) -> None:
    """Prints the figures of a scenario so the result reads as numbers."""
    order = ["sent", "acknowledged", "refused", "delivered", "duplicates", "lost"]
    columns = [c for c in order if any(c in r for r in rows.values())]
    lines = [f"== {title}", f"   {'':34}" + "".join(f"{c:>14}" for c in columns)]
    lines += [f"   {name:34}" + "".join(f"{r.get(c, ''):>14}" for c in columns) for name, r in rows.items()]
    FIGURES.extend(lines)
    print("\n" + "\n".join(lines))


def note(line: str) -> None:
    FIGURES.append(line)
    print(line)


async def inbox_counts(engine, consumer: str, event_ids: list[str]) -> dict[str, int]:
    """Inbox rows per event id for one consumer group (the primary key makes each 0 or 1)."""
    counts: dict[str, int] = {}
    async with engine.connect() as conn:
        for i in range(0, len(event_ids), 500):
            rows = await conn.execute(select(inbox.c.event_id, func.count()).where(
                inbox.c.consumer == consumer, inbox.c.event_id.in_(event_ids[i:i + 500])).group_by(inbox.c.event_id))
            counts.update({r[0]: r[1] for r in rows})
    return counts


async def present(engine, column, keys: list[str]) -> set[str]:
    """Which of `keys` have a row in a service's own table (`column` of that table)."""
    found: set[str] = set()
    async with engine.connect() as conn:
        for i in range(0, len(keys), 500):
            found |= set((await conn.execute(select(column).where(column.in_(keys[i:i + 500])))).scalars())
    return found


async def outbox_rows(engine, event_type: str, keys: set[str]) -> list:
    """(event_id, subject, aggregate_id, published_at) of a service's outbox rows of one type whose subject or
    aggregate id is one of `keys` (area events: subject = area code; demand events: aggregate = demand id)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.event_id, outbox.c.subject, outbox.c.aggregate_id,
                                          outbox.c.published_at).where(outbox.c.event_type == event_type))).all()
    return [r for r in rows if r[1] in keys or r[2] in keys]


def metric(url: str, name: str, **labels: str) -> float:
    """One sample of a service's /metrics (0 when absent)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    want = [f'{k}="{v}"' for k, v in labels.items()]
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(w in line for w in want):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def make_axis(org: str, admin: dict, d: str) -> str:
    async with httpx.AsyncClient(base_url=org, timeout=30) as client:
        for area in ({"code": d, "name": "Failure District", "level": "district"},
                     {"code": f"{d}S", "name": "Failure Street", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Failure Community", "level": "community", "parent_code": f"{d}S"}):
            response = await client.post("/api/v1/areas", json=area, headers=admin)
            assert response.status_code == 201, response.text
    return f"{d}C"


async def wait_for_read_copies(platform, admin: dict, code: str, readers) -> None:
    async def everywhere():
        async with httpx.AsyncClient(timeout=10) as client:
            for reader in readers:
                r = await client.get(f"{platform[reader].url}/api/v1/areas/{code}", headers=admin)
                assert r.status_code == 200, (reader, r.text)
        return True

    await eventually(everywhere, timeout_s=90)


async def readiness(platform) -> dict[str, tuple[int, dict]]:
    """Every service's /readyz answer: (status, body) by service name."""
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(*(client.get(f"{s.url}/readyz") for s in platform.services.values()))
    return {name: (r.status_code, r.json()) for name, r in zip(platform.services, answers, strict=True)}


async def all_ready(platform) -> bool:
    states = await readiness(platform)
    assert all(code == 200 for code, _ in states.values()), states
    return True
