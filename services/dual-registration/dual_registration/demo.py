"""Demo data of dual-registration: in every demo community a few units registered with their pairing
agreements and in-service members registered where they live, posts and claims, a quarter of
confirmed service (some by check-in code) and published evaluations. Everything goes through the
services' APIs. Units and members come from org-registry's read copy; when org-registry has no demo
units or members, this loader creates a few there first. Deterministic for a given seed."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx

from yizhou.auth import mint_token
from yizhou_platform.demo_district import DISTRICT, demo_client
from yizhou.settings import ServiceSettings

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海燕", "伟", "静", "磊", "敏", "军"]
UNITS = [("District Tax Bureau", "agency"), ("Municipal Water Group", "state_owned_enterprise"),
         ("Chaoyang Hospital Branch", "public_institution"), ("District Library", "public_institution")]
SKILLS = ["first aid", "tutoring", "legal advice", "plumbing", "elderly care", "calligraphy", "IT help", "mediation"]
CATEGORIES = ["elderly_care", "culture_sports", "legal_aid", "community_education", "public_safety", "health"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_number(rng: random.Random) -> str:
    body = f"110105{rng.randint(1960, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


async def _wait(check, timeout_s: float = 60) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.5)
    return False


async def _all(client: httpx.AsyncClient, path: str, **params) -> list[dict]:
    items, after = [], None
    while True:
        response = await client.get(path, params={**params, "limit": 200, **({"after": after} if after else {})})
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        after = page["next_cursor"]
        if not after:
            return items


async def _seed_registry(org: httpx.AsyncClient, communities: list[dict], grids: dict[str, list[str]],
                         rng: random.Random) -> None:
    """A unit (with its single-unit party branch) and four in-service members per community."""
    for community in communities:
        code = community["code"]
        name, kind = UNITS[rng.randrange(len(UNITS))]
        unit = (await org.post("/api/v1/units", json={"name": f"{name} ({community['name']})", "kind": kind,
                                                      "area_code": rng.choice(grids[code]), "headcount": 80,
                                                      "members_among_staff": 12})).json()
        branch = (await org.post("/api/v1/organizations", json={
            "name": f"{name} Party Branch ({code})", "kind": "branch", "setup_mode": "single_unit",
            "area_code": unit["area_code"], "covered_unit_ids": [unit["id"]], "founded_on": "2003-07-01"})).json()
        for _ in range(4):
            await org.post("/api/v1/members", json={
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "phone": f"139{rng.randint(0, 99_999_999):08d}",
                "id_number": _id_number(rng), "organization_id": branch["id"], "work_unit_id": unit["id"],
                "residence_area_code": rng.choice(grids[code]), "skills": rng.sample(SKILLS, 2), "in_service": True,
                "joined_on": "2010-07-01"})


async def load_demo(urls: dict[str, str], token: str, real_size: bool) -> str:
    settings = ServiceSettings()
    rng = random.Random(20260105)
    now = datetime.now(UTC)
    async with demo_client(urls["dual-registration"], token) as dual, demo_client(urls["org-registry"], token) as org:
        expected = await _all(org, "/api/v1/areas", level="community")
        if not await _wait(lambda: _count_areas(dual, len(expected))):
            return "the read copy of the axis did not fill in time; no demo data"
        communities = await _all(dual, "/api/v1/areas", level="community")
        grids: dict[str, list[str]] = {}
        for grid in await _all(dual, "/api/v1/areas", level="grid"):
            grids.setdefault(grid["parent_code"], []).append(grid["code"])
        known_units = await _all(org, "/api/v1/units")
        if not known_units:
            await _seed_registry(org, communities, grids, rng)
            known_units = await _all(org, "/api/v1/units")
        known_members = await _all(org, "/api/v1/members")
        await _wait(lambda: _copied(dual, len(known_units), len(known_members)), timeout_s=120)
        units = await _all(dual, "/api/v1/units")
        members = [m for m in await _all(dual, "/api/v1/members") if m["in_service"] and not m["left"]]

        def worker(code: str, n: int = 1) -> dict[str, str]:
            sub = f"demo-worker-{n}@{code}"
            return {"Authorization": "Bearer " + mint_token(settings.jwt_secret, role="community_worker", area=code,
                                                            subject=sub, issuer=settings.jwt_issuer)}

        def member_headers(member: dict) -> dict[str, str]:
            return {"Authorization": "Bearer " + mint_token(settings.jwt_secret, role="party_member",
                                                            area=member["community_code"], subject=member["member_id"],
                                                            issuer=settings.jwt_issuer)}

        counts = {"units": 0, "members": 0, "claims": 0, "services": 0, "evaluations": 0}
        limit = asyncio.Semaphore(8)

        async def community_demo(community: dict) -> None:
            code = community["code"]
            async with limit:
                await _community(dual, code, grids.get(code, [code]), [u for u in units if u["community_code"] == code],
                                 [m for m in members if m["community_code"] == code], worker(code), worker(code, 2),
                                 member_headers, random.Random(f"{code}"), now, counts)

        await asyncio.gather(*(community_demo(c) for c in communities if c["code"].startswith(DISTRICT[0])))
    return (f"{counts['units']} units and {counts['members']} members registered, {counts['claims']} claims, "
            f"{counts['services']} confirmed services, {counts['evaluations']} evaluations published")


async def _count_areas(dual: httpx.AsyncClient, communities: int) -> bool:
    response = await dual.get("/api/v1/areas", params={"level": "community", "limit": 1000})
    return response.status_code == 200 and len(response.json()["items"]) >= communities


async def _copied(dual: httpx.AsyncClient, units: int, members: int) -> bool:
    got_units = len(await _all(dual, "/api/v1/units"))
    got_members = len(await _all(dual, "/api/v1/members"))
    return got_units >= units and got_members >= members


async def _community(dual, code, grids, units, members, worker, second_worker, member_headers, rng, now, counts) -> None:
    registrations = []
    for unit in units:
        if unit["registration_state"] is not None:
            continue
        response = await dual.post("/api/v1/registrations/units", headers=worker, json={
            "unit_id": unit["unit_id"], "agreement": {
                "title": f"结对共建 {now.year}: {unit['name']}", "hours_per_year": rng.choice([40, 80, 120]),
                "commitments": [
                    {"kind": "venue", "description": "Meeting hall, weekday evenings", "categories": ["culture_sports"],
                     "quantity": rng.randint(6, 24), "unit_of_measure": "sessions/year"},
                    {"kind": "volunteer_hours", "description": "Staff volunteers for the community",
                     "categories": rng.sample(CATEGORIES, 2), "quantity": rng.choice([40, 80]),
                     "unit_of_measure": "hours/year"}]}})
        if response.status_code == 201:
            await dual.post(f"/api/v1/registrations/{response.json()['id']}/approve", headers=worker)
            counts["units"] += 1
    for member in members:
        if member["registration_state"] is not None:
            continue
        response = await dual.post("/api/v1/registrations/members", headers=member_headers(member), json={
            "member_id": member["member_id"], "skills": member["skills"] or rng.sample(SKILLS, 2),
            "available_hours_per_month": rng.choice([4, 6, 8, 10])})
        if response.status_code != 201:
            continue
        if rng.random() < 0.85:  # a few stay pending, as in life
            await dual.post(f"/api/v1/registrations/{response.json()['id']}/approve", headers=worker)
            registrations.append((member, response.json()["id"]))
            counts["members"] += 1
    if not registrations:
        return
    post = (await dual.post("/api/v1/posts", headers=worker, json={
        "area_code": code, "kind": "volunteer_post", "title": "小红帽 Little red caps: weekend patrol",
        "description": "Saturday 9-11 at the north gate", "capacity": 3})).json()
    households = (await dual.post("/api/v1/posts", headers=worker, json={
        "area_code": rng.choice(grids), "kind": "households", "title": "党员联系户: building 3",
        "description": "Visit the elderly living alone every two weeks", "capacity": 1, "household_count": 6})).json()
    for i, (member, registration_id) in enumerate(registrations):
        target = post if i % 2 == 0 else households
        claim = await dual.post("/api/v1/claims", headers=member_headers(member), json={
            "registration_id": registration_id, "target_kind": "post", "target_id": target["id"]})
        if claim.status_code == 201:
            counts["claims"] += 1
            if (await dual.post(f"/api/v1/claims/{claim.json()['id']}/approve", headers=worker)).status_code != 200:
                await dual.post(f"/api/v1/claims/{claim.json()['id']}/reject", headers=worker)
        for day in rng.sample(range(2, 80), 3):  # three sessions over the last quarter
            start = (now - timedelta(days=day)).replace(hour=1 + rng.randint(0, 8), minute=0, second=0, microsecond=0)
            logged = await dual.post("/api/v1/services", headers=member_headers(member), json={
                "registration_id": registration_id, "activity": rng.choice(
                    ["Night patrol", "Visited elderly residents", "Homework club", "Legal consultation"]),
                "category": rng.choice(CATEGORIES), "area_code": rng.choice(grids), "started_at": start.isoformat(),
                "ended_at": (start + timedelta(hours=rng.choice([1, 2, 3]))).isoformat()})
            if logged.status_code == 201 and rng.random() < 0.9:
                await dual.post(f"/api/v1/services/{logged.json()['id']}/confirm", headers=second_worker)
                counts["services"] += 1
        quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
        evaluation = await dual.post("/api/v1/evaluations", headers=worker, json={
            "subject_kind": "member", "subject_id": member["member_id"], "period": quarter,
            "score": rng.choice([95, 88, 82, 76, 68, 55]), "comment": "Community evaluation"})
        if evaluation.status_code == 201:
            await dual.post(f"/api/v1/evaluations/{evaluation.json()['id']}/publish", headers=worker)
            counts["evaluations"] += 1
    # One check-in event for the patrol, codes for the claimants.
    starts = now - timedelta(hours=2)
    issued = await dual.post("/api/v1/checkin-codes", headers=worker, json={
        "area_code": code, "activity": "Little red caps patrol", "category": "public_safety",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "expires_at": (now + timedelta(hours=1)).isoformat(), "count": 2})
    if issued.status_code == 201 and registrations:
        member, _ = registrations[0]
        await dual.post("/api/v1/checkins", headers=member_headers(member), json={"code": issued.json()["codes"][0]["code"]})
