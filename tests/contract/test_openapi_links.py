"""Every service's OpenAPI document links each create operation to the operations on what it created
(yizhou.openapi_links): the links are valid (schemathesis builds its state machine from them, and
refuses a link that names a missing operation or parameter), and following one from a real answer
reaches the created record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis

from yizhou.axis_copy import area_copy
from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import serve, service_app

# A create of each service and an operation on what it created.
EXPECTED = {"org-registry": ("/api/v1/units", "/api/v1/units/{unit_id}", "unit_id", "$response.body#/id"),
            "demand-intake": ("/api/v1/demands", "/api/v1/demands/{demand_id}", "demand_id", "$response.body#/demand/id"),
            "project-matching": ("/api/v1/projects", "/api/v1/projects/{project_id}", "project_id", "$response.body#/id"),
            "dual-registration": ("/api/v1/claims", "/api/v1/claims/{claim_id}", "claim_id", "$response.body#/id")}


def links_of(spec: dict, path: str) -> dict:
    return spec["paths"][path]["post"]["responses"]["201"].get("links", {})


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_creates_link_to_what_they_created_and_the_links_are_valid(service, make_settings):
    create_app, settings_class = service_app(service)
    spec = create_app(make_settings(settings_class)).openapi()
    create, target, param, expression = EXPECTED[service]
    get_target = spec["paths"][target]["get"]["operationId"]
    assert links_of(spec, create)[get_target] == {"operationId": get_target, "parameters": {param: expression}}
    assert sum(len(links_of(spec, p)) for p, ops in spec["paths"].items()
               if "201" in ops.get("post", {}).get("responses", {})) > 3
    schemathesis.openapi.from_dict(spec).as_state_machine()   # raises InvalidStateMachine on a bad link


async def test_following_a_link_from_a_real_answer_reaches_the_created_demand(make_settings, unique_code, auth):
    community = unique_code("L")
    create_app, settings_class = service_app("demand-intake")
    async with serve(create_app(make_settings(settings_class, sweeper_enabled=False))) as client:
        async with client.app_state.db.sessions() as session, session.begin():
            await session.execute(area_copy.insert().values(code=community, name=community, level="community",
                                                            parent_code=None, path=f"/{community}/", retired=False,
                                                            updated_at=datetime.now(UTC)))
        worker = auth("community_worker", community)
        spec = (await client.get("/openapi.json")).json()
        created = await client.post("/api/v1/demands", json={"channel": "hotline", "category": "elderly_care",
                                                             "description": "楼道灯坏了", "area_code": community},
                                    headers=worker)
        assert created.status_code == 201
        link = links_of(spec, "/api/v1/demands")[spec["paths"]["/api/v1/demands/{demand_id}"]["get"]["operationId"]]
        value = created.json()
        for key in link["parameters"]["demand_id"].removeprefix("$response.body#/").split("/"):
            value = value[key]
        fetched = await client.get(f"/api/v1/demands/{value}", headers=worker)
        assert fetched.status_code == 200 and fetched.json()["id"] == created.json()["demand"]["id"]
