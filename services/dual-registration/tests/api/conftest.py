"""One running dual-registration app for the API tests, and a fresh small world per test: an
axis, units and members written straight into the service's own read copies (the flow tests fill
them through the broker instead)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from dual_registration.app import create_app
from dual_registration.domain.community import community_or_none
from dual_registration.settings import Settings
from dual_registration.store.tables import demand_copy, member_copy, project_copy, unit_copy
from yizhou.axis_copy import area_copy
from yizhou.clock import ManualClock
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import serve

PROBLEM = "application/problem+json"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def client(make_settings, clock):
    """Module-scoped: a running app consumes shared topics, so it must not outlive its tests (other
    modules' flow tests count what lands on dead-letter topics)."""
    async with serve(create_app(make_settings(Settings), clock=clock)) as client:
        yield client


def _assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"urn:yizhou:problem:{slug}", body
    assert body["detail"]
    return body


@pytest.fixture(scope="session")
def problem():
    """`problem(response, status, slug)` asserts a problem+json answer and returns its body."""
    return _assert_problem


@pytest.fixture(scope="module")
def outbox_events(client):
    """`await outbox_events(aggregate_id)`: [(event_type, data)] of internal events for that aggregate, in order
    (partner projections ride along in the same transaction and are tested in tests/contract)."""

    async def _events(aggregate_id: str) -> list[tuple[str, dict]]:
        async with client.app_state.db.sessions() as session:
            rows = (await session.execute(select(outbox.c.event_type, outbox.c.data)
                                          .where(outbox.c.aggregate_id == aggregate_id,
                                                 ~outbox.c.topic.startswith("yizhou.partner."))
                                          .order_by(outbox.c.id))).all()
        return [(r.event_type, r.data) for r in rows]

    return _events


@dataclass
class World:
    client: object
    token: object
    district: str
    subdistrict: str
    community: str
    other_community: str
    grid: str
    far_community: str  # under another subdistrict
    units: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)

    def path(self, code: str) -> str:
        d, s = self.district, self.subdistrict
        return {d: f"/{d}/", s: f"/{d}/{s}/", self.community: f"/{d}/{s}/{self.community}/",
                self.other_community: f"/{d}/{s}/{self.other_community}/",
                self.grid: f"/{d}/{s}/{self.community}/{self.grid}/",
                f"{d}S2": f"/{d}/{d}S2/", self.far_community: f"/{d}/{d}S2/{self.far_community}/"}[code]

    def headers(self, role: str, area: str | None = None, subject: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, area or self.community, subject=subject)}"}

    @property
    def worker(self) -> dict[str, str]:
        return self.headers("community_worker", self.community, subject=f"worker-{self.community}")

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("district_admin", self.district, subject=f"admin-{self.district}")

    def member(self, member_id: str) -> dict[str, str]:
        return self.headers("party_member", self.community, subject=member_id)

    async def insert(self, table, **values) -> None:
        async with self.client.app_state.db.sessions() as session, session.begin():
            await session.execute(table.insert().values(updated_at=datetime.now(UTC), **values))

    async def add_unit(self, unit_id: str, area: str, organization_id: str | None = None) -> str:
        path = self.path(area)
        community = community_or_none(path)
        await self.insert(unit_copy, unit_id=unit_id, name=f"Unit {unit_id}", kind="agency", area_code=area,
                          area_path=path, organization_id=organization_id or f"org-{unit_id}",
                          community_code=community.code if community else None,
                          community_path=community.path if community else None)
        self.units.append(unit_id)
        return unit_id

    async def add_member(self, member_id: str, residence: str, in_service: bool = True) -> str:
        path = self.path(residence)
        community = community_or_none(path)
        await self.insert(member_copy, member_id=member_id, organization_id=f"org-of-{member_id}", work_unit_id=None,
                          residence_area_code=residence, residence_area_path=path, skills=["first aid"],
                          in_service=in_service, left=False, community_code=community.code if community else None,
                          community_path=community.path if community else None)
        self.members.append(member_id)
        return member_id

    async def move_member(self, member_id: str, residence: str) -> None:
        path = self.path(residence)
        community = community_or_none(path)
        async with self.client.app_state.db.sessions() as session, session.begin():
            await session.execute(member_copy.update().where(member_copy.c.member_id == member_id).values(
                residence_area_code=residence, residence_area_path=path, community_code=community.code,
                community_path=community.path))

    async def add_project(self, project_id: str, area: str, last_event: str = "project.approved") -> str:
        await self.insert(project_copy, project_id=project_id, area_code=area, area_path=self.path(area),
                          category="elderly_care", step="implement", last_event=last_event)
        return project_id

    async def add_demand(self, demand_id: str, area: str, state: str = "accepted") -> str:
        await self.insert(demand_copy, demand_id=demand_id, area_code=area, area_path=self.path(area),
                          category="elderly_care", state=state)
        return demand_id

    async def registered_member(self, member_id: str, residence: str | None = None) -> str:
        """A member registered and approved in the world's community; returns the registration id."""
        await self.add_member(member_id, residence or self.grid)
        created = await self.client.post("/api/v1/registrations/members", headers=self.member(member_id),
                                         json={"member_id": member_id, "skills": ["tutoring"],
                                               "available_hours_per_month": 6})
        assert created.status_code == 201, created.text
        approved = await self.client.post(f"/api/v1/registrations/{created.json()['id']}/approve", headers=self.worker)
        assert approved.status_code == 200, approved.text
        return created.json()["id"]


@pytest.fixture
async def world(client, token, unique_code) -> World:
    d = unique_code("D")
    w = World(client=client, token=token, district=d, subdistrict=f"{d}S1", community=f"{d}C1",
              other_community=f"{d}C2", grid=f"{d}G1", far_community=f"{d}C9")
    for code, level, parent in [(d, "district", None), (w.subdistrict, "subdistrict", d), (f"{d}S2", "subdistrict", d),
                                (w.community, "community", w.subdistrict), (w.other_community, "community", w.subdistrict),
                                (w.grid, "grid", w.community), (w.far_community, "community", f"{d}S2")]:
        await w.insert(area_copy, code=code, name=f"Area {code}", level=level, parent_code=parent, path=w.path(code),
                       retired=False)
    return w
