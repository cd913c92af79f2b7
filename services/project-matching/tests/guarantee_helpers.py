"""Helpers of the guarantee network's API tests: organizations written straight into the service's
own read copy (the flow tests get them through the broker), and approved projects."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from project_matching.guarantee.store.tables import organization_copy


async def add_organization(db, axis, area: str, *, dissolved: bool = False, name: str = "Community branch") -> str:
    organization_id = f"org-{uuid.uuid4().hex[:12]}"
    async with db.sessions() as session, session.begin():
        await session.execute(organization_copy.insert().values(
            organization_id=organization_id, name=name, kind="branch", area_code=axis[area],
            area_path=axis["paths"][axis[area]], parent_organization_id=None, dissolved=dissolved,
            updated_at=datetime.now(UTC)))
    return organization_id


async def approved_project(client, axis, worker, admin, area: str = "c1") -> str:
    from matching_helpers import DESIGN

    created = await client.post("/api/v1/projects", json={"title": "Theme party day", "area_code": axis[area],
                                                          "category": "culture_sports"}, headers=worker)
    pid = created.json()["id"]
    for method, path, body, who in [("PUT", "design", DESIGN, worker), ("POST", "submit", None, worker),
                                    ("POST", "reviews", {"score": 80}, admin),
                                    ("POST", "decision", {"decision": "approve", "reasons": ["ok"]}, admin)]:
        response = await client.request(method, f"/api/v1/projects/{pid}/{path}", json=body, headers=who)
        assert response.status_code == 200, response.text
    return pid
