"""One vocabulary for lists on all four services (docs/api.md): `under` is a subtree and `area_code` an
exact area, time ranges are `from`/`to`, `after` is an opaque cursor, and a query parameter an operation
does not take is refused (400 `unknown-parameter`) instead of silently widening the answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yizhou.axis_copy import area_copy
from yizhou.pagination import encode_cursor
from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import serve, service_app

# Names each service used to spell its own way; none may come back.
DIALECT = {"since", "until", "submitted_from", "submitted_to", "starts_from", "starts_before", "community_code"}


def query_parameters(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield path, method, parameter


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_list_speaks_the_shared_vocabulary(service, make_settings):
    create_app, settings_class = service_app(service)
    spec = create_app(make_settings(settings_class)).openapi()
    seen = set()
    for path, method, parameter in query_parameters(spec):
        name, where = parameter["name"], f"{method.upper()} {path} ?{parameter['name']}"
        seen.add(name)
        assert name not in DIALECT, f"{where}: use from/to, under or area_code"
        description = parameter.get("description", "")
        if name == "under":
            assert "subtree" in description, where
        if name == "area_code":
            assert "Exactly" in description, where
        if name in ("from", "to"):
            schema = parameter["schema"].get("anyOf", [parameter["schema"]])[0]
            assert schema.get("format") == "date-time", where
        if name == "after":
            assert "Opaque" in description, where
    assert "after" in seen and "limit" in seen


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_a_parameter_an_operation_does_not_take_is_refused(service, make_settings, unique_code, auth):
    create_app, settings_class = service_app(service)
    code = unique_code("V")
    async with serve(create_app(make_settings(settings_class))) as client:
        admin = auth("district_admin", code)
        # A misspelt `under` used to return every area of the caller's scope.
        response = await client.get("/api/v1/areas", params={"undr": code}, headers=admin)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["type"].endswith(":unknown-parameter") and body["errors"][0]["field"] == "undr"
        assert "under" in body["detail"]


async def test_open311_lets_clients_add_the_parameters_its_standard_allows(make_settings, unique_code, auth):
    create_app, settings_class = service_app("demand-intake")
    code = unique_code("V")
    async with serve(create_app(make_settings(settings_class, sweeper_enabled=False))) as client:
        response = await client.get("/open311/v2/services.json", params={"jurisdiction_id": "cy", "api_key": "k"})
        assert response.status_code == 200, response.text
        assert (await client.get("/api/v1/demands", params={"jurisdiction_id": "cy"},
                                 headers=auth("district_admin", code))).status_code == 400


async def test_cursors_are_opaque_and_survive_any_url_encoding(make_settings, unique_code, auth):
    community = unique_code("V")
    create_app, settings_class = service_app("demand-intake")
    async with serve(create_app(make_settings(settings_class, sweeper_enabled=False))) as client:
        async with client.app_state.db.sessions() as session, session.begin():
            await session.execute(area_copy.insert().values(code=community, name=community, level="community",
                                                            parent_code=None, path=f"/{community}/", retired=False,
                                                            updated_at=datetime.now(UTC)))
        worker = auth("community_worker", community)
        created = set()
        for n in range(5):
            response = await client.post("/api/v1/demands", headers=worker, json={
                "channel": "hotline", "category": "elderly_care", "description": f"楼道灯坏了 第{n}层",
                "area_code": community})
            assert response.status_code == 201, response.text
            created.add(response.json()["demand"]["id"])
        seen, after = [], None
        while True:
            # The cursor goes back into a URL by hand, unencoded, as a careless client would send it.
            url = "/api/v1/demands?limit=2" + (f"&after={after}" if after else "")
            page = await client.get(url, headers=worker)
            assert page.status_code == 200, page.text
            seen += [item["id"] for item in page.json()["items"]]
            after = page.json()["next_cursor"]
            if after is None:
                break
            assert after.replace("-", "").replace("_", "").isalnum(), after
            assert "|" not in after and "+" not in after
        assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
        for forged in ("2026-01-01T00:00:00+08:00|x", "@@", encode_cursor("not|a-time")):
            refused = await client.get("/api/v1/demands", params={"after": forged}, headers=worker)
            assert refused.status_code == 400 and refused.json()["type"].endswith(":bad-cursor"), refused.text
