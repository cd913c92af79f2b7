"""A fresh small district per test, made through the axis API, and helpers to fill it."""

from __future__ import annotations

from org_registry.domain.member import with_check_digit

PROBLEM = "application/problem+json"


async def make_district(client, auth, unique_code) -> dict:
    """District D with subdistricts S1, S2; communities C1 (under S1), C2 (under S2); grid G1 under C1."""
    d = unique_code("D")
    admin = auth("district_admin", d)
    tree = [
        {"code": d, "name": "Test District", "level": "district"},
        {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}C1", "name": "Elm Community", "level": "community", "parent_code": f"{d}S1"},
        {"code": f"{d}C2", "name": "Oak Community", "level": "community", "parent_code": f"{d}S2"},
        {"code": f"{d}G1", "name": "Elm Grid 1", "level": "grid", "parent_code": f"{d}C1"},
    ]
    for area in tree:
        response = await client.post("/api/v1/areas", json=area, headers=admin)
        assert response.status_code == 201, response.text
    return {"code": d, "admin": admin, "s1": f"{d}S1", "s2": f"{d}S2", "c1": f"{d}C1", "c2": f"{d}C2", "g1": f"{d}G1"}


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"urn:yizhou:problem:{slug}", body
    return body


async def add_unit(client, headers, area: str, name: str = "Unit", kind: str = "non_public_enterprise",
                   size_class: str | None = "large", headcount: int = 100, members_among_staff: int = 0) -> dict:
    body = {"name": name, "kind": kind, "size_class": size_class if kind == "non_public_enterprise" else None,
            "area_code": area, "headcount": headcount, "members_among_staff": members_among_staff}
    response = await client.post("/api/v1/units", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_organization(client, headers, area: str, units: list[str], setup_mode: str = "single_unit",
                           parent: str | None = None, name: str = "Party Branch", kind: str = "branch") -> dict:
    body = {"name": name, "kind": kind, "setup_mode": setup_mode, "area_code": area, "parent_organization_id": parent,
            "covered_unit_ids": units, "founded_on": "2008-07-01"}
    response = await client.post("/api/v1/organizations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


_serial = iter(range(10**9))


def id_number() -> str:
    """A valid, unique resident ID number (checked digit)."""
    return with_check_digit(f"110105198001{next(_serial) % 10**5:05d}")


async def add_member(client, headers, organization: str, residence: str, name: str = "王建国",
                     phone: str | None = "13912345678", skills: list[str] | None = None, **extra) -> dict:
    body = {"name": name, "phone": phone, "id_number": id_number(), "organization_id": organization,
            "residence_area_code": residence, "skills": skills or ["first aid"], "in_service": True,
            "joined_on": "2005-07-01", **extra}
    response = await client.post("/api/v1/members", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
