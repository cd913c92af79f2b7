"""Dates and numbers at the edge of what Python and the database hold are a 422, never a 500: year 1
written at +14:00 lies before year 1 in UTC, year 9999 at -12:00 after year 9999."""

import pytest

from demand_helpers import assert_problem, demand_body

EDGES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


@pytest.mark.parametrize("edge", EDGES)
async def test_an_edge_date_in_a_query_is_422(client, axis, auth, edge):
    response = await client.get("/api/v1/demands", params={"area_code": axis["g1"], "from": edge},
                                headers=auth("grid_worker", axis["g1"]))
    assert_problem(response, 422, "validation")


@pytest.mark.parametrize("edge", EDGES)
async def test_an_edge_date_in_an_import_is_422(client, axis, auth, edge):
    item = {**demand_body(axis["g1"]), "submitted_at": edge, "steps": []}
    response = await client.post("/api/v1/demands/import", json={"demands": [item]},
                                 headers=auth("district_admin", axis["d"]))
    assert response.status_code in (422,), response.text
