"""Activity funds over HTTP: income by source, spending for projects and activities, a balance that
never goes below zero (also under concurrent spending), statements per organization and per area
subtree, references and area scoping per role."""

import asyncio

from sqlalchemy import select

from guarantee_helpers import add_organization, approved_project
from matching_helpers import assert_problem
from project_matching.guarantee.store.tables import fund_accounts
from yizhou.messaging_tables import outbox

INCOME = "/api/v1/funds/income"
SPENDING = "/api/v1/funds/spending"


def income(org, amount, source="party_dues_returned", year=2026, **over):
    return {"organization_id": org, "year": year, "source": source, "amount_yuan": amount, **over}


def spending(org, amount, year=2026, **over):
    return {"organization_id": org, "year": year, "amount_yuan": amount, "purpose": "activity",
            "activity": "Theme party day", **over}


async def test_balance_never_negative_and_statements(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    org = await add_organization(db, axis, "c1")
    first = await client.post(INCOME, json=income(org, "100.10", booked_on="2026-03-31"), headers=worker)
    assert first.status_code == 201, first.text
    assert first.json()["balance_after_yuan"] == 100.1 and first.headers["location"].endswith(first.json()["id"])
    assert (await client.post(INCOME, json=income(org, "50.00", "district_allocation"), headers=admin)).status_code == 201
    spent = await client.post(SPENDING, json=spending(org, "150.09"), headers=worker)
    assert spent.status_code == 201 and spent.json()["balance_after_yuan"] == 0.01
    over = assert_problem(await client.post(SPENDING, json=spending(org, "0.02"), headers=worker), 409,
                          "insufficient-funds")
    assert over["balance_yuan"] == 0.01 and over["amount_yuan"] == 0.02
    assert (await client.post(SPENDING, json=spending(org, "0.01"), headers=worker)).json()["balance_after_yuan"] == 0
    # Another year is another account: 2027 has nothing yet.
    assert_problem(await client.post(SPENDING, json=spending(org, "1.00", year=2027), headers=worker), 409,
                   "insufficient-funds")
    statement = (await client.get(f"/api/v1/funds/statements/organizations/{org}", params={"year": 2026},
                                  headers=admin)).json()
    assert statement["income_by_source_yuan"] == {"party_dues_returned": 100.1, "district_allocation": 50.0,
                                                  "unit_contribution": 0.0, "government_purchase": 0.0}
    assert statement["spending_by_purpose_yuan"] == {"project": 0.0, "activity": 150.1}
    assert statement["balance_yuan"] == 0.0 and statement["income_yuan"] == 150.1
    # The area statement adds up the organizations located in the subtree.
    other = await add_organization(db, axis, "g2", name="Grid branch")
    await client.post(INCOME, json=income(other, "20.00", "unit_contribution"), headers=worker)
    area = (await client.get(f"/api/v1/funds/statements/areas/{axis['s1']}", params={"year": 2026},
                             headers=admin)).json()
    assert area["income_yuan"] == 170.1 and area["balance_yuan"] == 20.0
    assert {o["organization_id"]: o["balance_yuan"] for o in area["organizations"]} == {org: 0.0, other: 20.0}
    paged = (await client.get(f"/api/v1/funds/statements/areas/{axis['s1']}", params={"year": 2026, "limit": 1},
                              headers=admin)).json()
    assert len(paged["organizations"]) == 1 and paged["next_cursor"] and paged["income_yuan"] == 170.1
    entries = (await client.get("/api/v1/funds/entries", params={"organization_id": org, "direction": "spending"},
                                headers=worker)).json()["items"]
    assert [e["amount_yuan"] for e in entries if e["year"] == 2026] and all(e["direction"] == "spending"
                                                                          for e in entries)
    async with db.sessions() as session:
        events = (await session.execute(select(outbox.c.event_type, outbox.c.data)
                                        .where(outbox.c.aggregate_id == org).order_by(outbox.c.id))).all()
    assert [e.event_type for e in events] == ["funds.received", "funds.received", "funds.spent", "funds.spent"]
    assert events[2].data["amount_fen"] == 15009 and events[2].data["balance_fen"] == 1
    assert events[2].data["purpose"] == "activity" and "recorded_by" not in events[2].data


async def test_concurrent_spending_cannot_overdraw(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    org = await add_organization(db, axis, "c1")
    assert (await client.post(INCOME, json=income(org, "100.00"), headers=worker)).status_code == 201
    answers = await asyncio.gather(*(client.post(SPENDING, json=spending(org, "30.00"), headers=worker)
                                     for _ in range(8)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 3 + [409] * 5, [r.text for r in answers]
    async with db.sessions() as session:
        account = (await session.execute(select(fund_accounts).where(fund_accounts.c.organization_id == org))).one()
    assert account.income_fen - account.spent_fen == 1000 and account.spent_fen == 9000


async def test_references_rules_roles_and_scope(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    org = await add_organization(db, axis, "c1")
    far = await add_organization(db, axis, "c2")
    gone = await add_organization(db, axis, "c1", dissolved=True)
    assert_problem(await client.post(INCOME, json=income("org-never-heard-of", "1.00"), headers=worker), 422,
                   "unknown-reference")
    # Outside the caller's subtree looks exactly like unknown.
    assert_problem(await client.post(INCOME, json=income(far, "1.00"), headers=worker), 422, "unknown-reference")
    assert_problem(await client.post(INCOME, json=income(gone, "1.00"), headers=worker), 409,
                   "organization-dissolved")
    assert_problem(await client.post(INCOME, json=income(org, "1.00", booked_on="2025-12-31"), headers=worker), 422,
                   "rule-violated")
    assert_problem(await client.post(INCOME, json=income(org, "0"), headers=worker), 422, "validation")
    assert_problem(await client.post(INCOME, json=income(org, "1.001"), headers=worker), 422, "validation")
    assert_problem(await client.post(INCOME, json=income(org, "1.00", source="lottery"), headers=worker), 422,
                   "validation")
    assert_problem(await client.post(INCOME, json=income(org, "1.00"), headers=auth("grid_worker", axis["g1"])), 403,
                   "forbidden")
    await client.post(INCOME, json=income(org, "500.00", "government_purchase"), headers=worker)
    # Spending for a project needs a project of the caller's area that is approved or later.
    assert_problem(await client.post(SPENDING, json=spending(org, "1.00", purpose="project", activity=None),
                                     headers=worker), 422, "rule-violated")
    assert_problem(await client.post(SPENDING, json=spending(org, "1.00", purpose="project", project_id="nope",
                                                             activity=None), headers=worker), 422, "unknown-reference")
    opened = (await client.post("/api/v1/projects", json={"title": "x", "area_code": axis["c1"],
                                                          "category": "health"}, headers=worker)).json()["id"]
    assert_problem(await client.post(SPENDING, json=spending(org, "1.00", purpose="project", project_id=opened,
                                                             activity=None), headers=worker), 409, "project-not-ready")
    pid = await approved_project(client, axis, worker, admin)
    paid = await client.post(SPENDING, json=spending(org, "200.00", purpose="project", project_id=pid, activity=None),
                             headers=worker)
    assert paid.status_code == 201 and paid.json()["project_id"] == pid
    statement = (await client.get(f"/api/v1/funds/statements/organizations/{org}", params={"year": 2026},
                                  headers=worker)).json()
    assert statement["spending_by_project_yuan"] == [{"project_id": pid, "amount_yuan": 200.0}]
    outsider = auth("community_worker", axis["c2"])
    assert_problem(await client.get(f"/api/v1/funds/statements/organizations/{org}", params={"year": 2026},
                                    headers=outsider), 404, "not-found")
    assert_problem(await client.get(f"/api/v1/funds/statements/areas/{axis['c1']}", params={"year": 2026},
                                    headers=outsider), 404, "not-found")
    assert_problem(await client.get(f"/api/v1/funds/statements/organizations/{org}", params={"year": 1999},
                                    headers=worker), 422, "validation")
    assert_problem(await client.get(f"/api/v1/funds/statements/organizations/{org}", params={"year": 2026},
                                    headers=auth("resident", axis["g1"])), 403, "forbidden")
    seen = (await client.get("/api/v1/funds/entries", headers=outsider)).json()["items"]
    assert all(e["organization_id"] != org for e in seen)
    listed = (await client.get("/api/v1/organizations", params={"under": axis["c1"]}, headers=worker)).json()
    ids = {o["organization_id"] for o in listed["items"]}
    assert org in ids and far not in ids and gone not in ids
