"""Demo data of org-registry: units, party organizations, members, coordination bodies and consultation
platforms on the demo axis, loaded through the service's own bulk import (the fast path: one unit of
work and chunked bulk inserts per sheet) and API. Deterministic; a second run finds it loaded.

Small: in every community six units of different kinds, their organizations (single-unit, joint,
private school, law firm under the district lawyers' committee) and five members; a coordination
committee per subdistrict and a sub-committee and consultation platform per community; per
subdistrict a trade union, a youth league and a women's federation led by its social-work committee,
each with two joint actions (一统五联) with the subdistrict's units or an enterprise branch.
Real size (`real_size=True`): 240,000 units and 56,000 members, with organizations covering about
90% of large non-public enterprises (the seeds' 90.2%).
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
from collections.abc import Iterator

import httpx

from org_registry.domain.member import with_check_digit
from org_registry.domain.sheet_rows import COLUMNS, SheetKind
from yizhou_platform.demo_district import demo_client

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海燕", "伟", "静", "磊", "敏", "军", "桂兰", "德明"]
SKILLS = ["first aid", "tutoring", "legal advice", "plumbing", "elderly care", "calligraphy", "it help", "mediation"]
REAL_UNITS, REAL_MEMBERS = 240_000, 56_000
CHUNK_ROWS = 4000  # a chunk's CSV stays under the API's 1 MiB body limit


class Sheets:
    """Rows of the three sheets, built in memory and sent in chunks."""

    def __init__(self) -> None:
        self.rows: dict[SheetKind, list[list]] = {k: [] for k in SheetKind}

    def unit(self, uid, name, kind, size, area, headcount, members) -> str:
        self.rows[SheetKind.UNITS].append([uid, name, kind, size or "", area, headcount, members, ""])
        return uid

    def organization(self, oid, name, kind, mode, area, parent, units, founded="2008-07-01") -> str:
        self.rows[SheetKind.ORGANIZATIONS].append([oid, name, kind, mode, area, parent or "", ";".join(units), founded, ""])
        return oid

    def member(self, n: int, org: str, unit: str | None, residence: str, rng: random.Random) -> None:
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
        skills = ";".join(rng.sample(SKILLS, k=rng.randint(1, 3)))
        self.rows[SheetKind.MEMBERS].append([
            f"m-demo-{n:06d}", name, f"139{n:08d}", with_check_digit(f"11010519{n:09d}"), org, unit or "", residence,
            skills, "true" if n % 4 else "false", f"{1990 + n % 30}-07-01", ""])


def _csv(kind: SheetKind, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS[kind])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _chunks(rows: list[list], size: int) -> Iterator[list[list]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


async def _communities(client: httpx.AsyncClient) -> list[dict]:
    areas, after = [], None
    while True:
        page = (await client.get("/api/v1/areas", params={"limit": 1000, **({"after": after} if after else {})})).json()
        areas += page["items"]
        after = page["next_cursor"]
        if not after:
            return areas


# The leading core axis (seeds 001, 002): what leads an area of each kind, named as the district names them.
LEADERS = {"district": ("district_committee", "committee", "{} Committee of the CPC"),
           "subdistrict": ("working_committee", "committee", "{} Working Committee"),
           "area": ("working_committee", "committee", "{} Working Committee"),
           "community": ("community_organization", "committee", "{} Party Committee"),
           "village": ("village_organization", "branch", "{} Party Branch"),
           "grid": ("grid_branch", "branch", "{} Party Branch")}


def leading_core(sheets: Sheets, areas: list[dict], prefix: str) -> dict[str, str]:
    """Every area's leading organization, reporting up the axis (the district committee at the top); the rows
    come in path order, so every parent is in the sheet before its subordinates. Area code -> organization id."""
    leaders: dict[str, str] = {}
    for a in sorted(areas, key=lambda a: a["path"]):
        mode, kind, name = LEADERS[a.get("kind") or a["level"]]
        leaders[a["code"]] = sheets.organization(f"o-{prefix}-lead-{a['code']}", name.format(a["name"]), kind, mode,
                                                 a["code"], leaders.get(a["parent_code"]), [], "1990-07-01")
    return leaders


def build_small(areas: list[dict], rng: random.Random) -> tuple[Sheets, list[dict]]:
    sheets, plans = Sheets(), []
    leaders = leading_core(sheets, areas, "demo")
    district = next(a for a in areas if a["level"] == "district")["code"]
    npe = sheets.organization("o-demo-npe", "District Non-public Economy Working Committee", "committee",
                              "non_public_economy_committee", district, leaders[district], [], "2000-07-01")
    lawyers = sheets.organization("o-demo-lawyers", "District Lawyers' Committee", "committee", "lawyers_committee",
                                  district, leaders[district], [], "2003-07-01")
    grids = {}
    for a in areas:
        if a["level"] == "grid":
            grids.setdefault(a["parent_code"], []).append(a["code"])
    n = 0
    for sub in (a for a in areas if a["level"] == "subdistrict"):
        social = sheets.organization(f"o-demo-{sub['code']}-social", f"{sub['name']} Social-work Committee", "committee",
                                     "social_work_committee", sub["code"], leaders[sub["code"]], [], "2005-07-01")
        sub_units, branches = [], []
        for c in (a for a in areas if a["level"] == "community" and a["parent_code"] == sub["code"]):
            code, label = c["code"], c["name"]
            u = [sheets.unit(f"u-demo-{code}-{i}", f"{label} {name}", kind, size, code, head, mem)
                 for i, (name, kind, size, head, mem) in enumerate([
                     ("Tech Co., Ltd.", "non_public_enterprise", "large", 420, 18),
                     ("Catering Co.", "non_public_enterprise", "small", 35, 1),
                     ("Farmers' Market", "market", None, 60, 0),
                     ("Bilingual School", "school", None, 80, 6),
                     ("Law Firm", "law_firm", None, 25, 3),
                     ("Street Office", "agency", None, 120, 40)])]
            sub_units += [u[0], u[5]]
            own = sheets.organization(f"o-demo-{code}-tech", f"{label} Tech Co. Party Branch", "branch", "single_unit",
                                      code, npe, [u[0]])
            branches.append(own)
            joint = sheets.organization(f"o-demo-{code}-joint", f"{label} Joint Branch", "branch", "joint", code, social,
                                        [u[1], u[2]])
            school = sheets.organization(f"o-demo-{code}-school", f"{label} School General Branch", "general_branch",
                                         "private_school_general_branch", code, social, [u[3]])
            firm = sheets.organization(f"o-demo-{code}-law", f"{label} Law Firm Branch", "branch", "single_unit", code,
                                       lawyers, [u[4]])
            sheets.organization(f"o-demo-{code}-office", f"{label} Street Office Party Branch", "branch", "agency", code,
                                leaders[sub["code"]], [u[5]])
            for org, unit in [(own, u[0]), (joint, u[1]), (school, u[3]), (firm, u[4]), (own, u[0])]:
                sheets.member(n, org, unit, rng.choice(grids.get(code, [code])), rng)
                n += 1
            plans.append({"kind": "sub_committee", "area": code, "name": f"{label} Coordination Sub-committee",
                          "units": [u[5], u[0], u[3]]})
            plans.append({"kind": "platform", "area": code, "name": f"{label} Joint Consultation",
                          "member": f"m-demo-{n - 5:06d}", "unit": u[5]})
        plans.append({"kind": "coordination_committee", "area": sub["code"],
                      "name": f"{sub['name']} Coordination Committee", "units": sub_units[:6]})
        plans.append({"kind": "hubs", "area": sub["code"], "name": sub["name"], "leader": social,
                      "units": sub_units[:2], "organization": branches[0] if branches else None})
    return sheets, plans


def build_real(areas: list[dict], rng: random.Random) -> Sheets:
    """240k units spread over the communities; ~1 in 300 a large enterprise, 90% of those with their own
    branch, joint branches over small enterprises; 56k members over the organizations."""
    sheets = Sheets()
    leaders = leading_core(sheets, areas, "real")
    communities = [a["code"] for a in areas if a["level"] == "community"]
    district = next(a for a in areas if a["level"] == "district")["code"]
    npe = sheets.organization("o-real-npe", "District Non-public Economy Working Committee", "committee",
                              "non_public_economy_committee", district, leaders[district], [], "2000-07-01")
    kinds = [("non_public_enterprise", "micro")] * 60 + [("non_public_enterprise", "small")] * 25 + \
            [("non_public_enterprise", "medium")] * 6 + [("social_organization", None)] * 3 + \
            [("commercial_building", None), ("market", None), ("school", None), ("law_firm", None),
             ("association", None), ("public_institution", None)]
    orgs: list[tuple[str, str, str]] = []  # (org id, area, a unit of it)
    small_by_community: dict[str, list[str]] = {}
    for i in range(REAL_UNITS):
        area = communities[i % len(communities)]
        kind, size = ("non_public_enterprise", "large") if i % 300 == 7 else kinds[i % len(kinds)]
        headcount = {"large": 800, "medium": 150, "small": 30, "micro": 6}.get(size or "", 40)
        members = (i % 9) if size in ("large", "medium") else (1 if i % 5 == 0 else 0)
        uid = sheets.unit(f"u-real-{i:06d}", f"企业{i:06d}", kind, size, area, headcount, members)
        if size == "large" and (i // 300) % 10 != 3:  # ~90% of large non-public enterprises have their own branch
            orgs.append((sheets.organization(f"o-real-{i:06d}", f"企业{i:06d}党支部", "branch", "single_unit", area, npe,
                                             [uid]), area, uid))
        elif size == "small":
            bucket = small_by_community.setdefault(area, [])
            bucket.append(uid)
            if len(bucket) == 3:  # a joint branch over three small enterprises
                orgs.append((sheets.organization(f"o-real-j{i:06d}", f"联合党支部{i:06d}", "branch", "joint", area, npe,
                                                 list(bucket)), area, bucket[0]))
                small_by_community[area] = []
    for n in range(REAL_MEMBERS):
        org, area, unit = orgs[n % len(orgs)]
        sheets.member(n, org, unit, area, rng)
    return sheets


async def _import(client: httpx.AsyncClient, kind: SheetKind, rows: list[list]) -> int:
    written = 0
    for chunk in _chunks(rows, CHUNK_ROWS):
        response = await client.post(f"/api/v1/imports/{kind.value}", params={"dry_run": "false"},
                                     content=_csv(kind, chunk), headers={"content-type": "text/csv"})
        if response.status_code != 201:
            raise RuntimeError(f"demo import of {kind.value} failed: {response.status_code} {response.text[:500]}")
        written += response.json()["written"]
    return written


# Per subdistrict, the three hubs the seeds name and the joint actions each takes part in (一统五联).
HUB_KINDS = [("trade_union", "Trade Union Federation", 5200, 640, ["joint_service", "shared_support"]),
             ("youth_league", "Youth League Working Committee", 1800, 260, ["joint_work", "joint_team"]),
             ("womens_federation", "Women's Federation", 3100, 410, ["joint_building", "joint_service"])]


async def _hubs(client: httpx.AsyncClient, plan: dict) -> tuple[int, int]:
    """A trade union, a youth league and a women's federation led by the subdistrict's committee, each
    linked to the subdistrict's units and its first community's enterprise branch."""
    partners = [("unit", u) for u in plan["units"]]
    if plan["organization"]:
        partners.append(("organization", plan["organization"]))
    hubs = links = 0
    for i, (kind, label, members, party_members, actions) in enumerate(HUB_KINDS):
        response = await client.post("/api/v1/hubs", json={
            "name": f"{plan['name']} {label}", "kind": kind, "area_code": plan["area"],
            "leading_organization_id": plan["leader"], "member_count": members, "party_member_count": party_members,
            "founded_on": "2005-05-04"})
        if response.status_code != 201:
            raise RuntimeError(f"demo hub failed: {response.status_code} {response.text[:300]}")
        hubs += 1
        for j, action in enumerate(actions):
            if not partners:
                break
            partner_kind, partner_id = partners[(i + j) % len(partners)]
            linked = await client.post(f"/api/v1/hubs/{response.json()['id']}/joint-actions", json={
                "kind": action, "partner_kind": partner_kind, "partner_id": partner_id, "started_on": "2026-01-01"})
            if linked.status_code != 201:
                raise RuntimeError(f"demo joint action failed: {linked.status_code} {linked.text[:300]}")
            links += 1
    return hubs, links


async def _work_network(client: httpx.AsyncClient, plans: list[dict]) -> int:
    made = 0
    for plan in plans:
        if plan["kind"] == "hubs":
            continue
        if plan["kind"] == "platform":
            response = await client.post("/api/v1/consultation-platforms", json={
                "name": plan["name"], "area_code": plan["area"], "topics": ["parking", "elderly canteen"]})
            platform = response.json()
            url = f"/api/v1/consultation-platforms/{platform['id']}/representatives"
            await client.post(url, json={"sector": "party", "name": "王书记", "member_id": plan["member"]})
            await client.post(url, json={"sector": "government", "name": "陈科长", "unit_id": plan["unit"]})
            await client.post(url, json={"sector": "public", "name": "刘淑芬", "phone": "13600001234"})
        else:
            response = await client.post("/api/v1/coordination-bodies", json={
                "kind": plan["kind"], "name": plan["name"], "area_code": plan["area"], "member_unit_ids": plan["units"],
                "term_months": 12, "starts_on": "2026-01-01"})
        if response.status_code != 201:
            raise RuntimeError(f"demo {plan['kind']} failed: {response.status_code} {response.text[:300]}")
        made += 1
    return made


async def load_into(client: httpx.AsyncClient, real_size: bool) -> str:
    """Loads the demo through `client` (an org-registry client carrying a district admin's token)."""
    areas = await _communities(client)
    rng = random.Random(20260105)
    if real_size:
        sheets, plans = build_real(areas, rng), []
    else:
        sheets, plans = build_small(areas, rng)
    if (await client.get(f"/api/v1/units/{sheets.rows[SheetKind.UNITS][0][0]}")).status_code == 200:
        return "registry demo already loaded"
    started = time.perf_counter()
    counts = {}
    for kind in (SheetKind.UNITS, SheetKind.ORGANIZATIONS, SheetKind.MEMBERS):
        counts[kind] = await _import(client, kind, sheets.rows[kind])
    bodies = await _work_network(client, plans)
    hubs = links = 0
    for plan in (p for p in plans if p["kind"] == "hubs"):
        made, linked = await _hubs(client, plan)
        hubs, links = hubs + made, links + linked
    elapsed = time.perf_counter() - started
    rows = sum(counts.values())
    return (f"{counts[SheetKind.UNITS]:,} units, {counts[SheetKind.ORGANIZATIONS]:,} organizations, "
            f"{counts[SheetKind.MEMBERS]:,} members, {bodies} coordination bodies and platforms, "
            f"{hubs} hub organizations with {links} joint actions in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s through the bulk import)")


async def load_demo(urls: dict[str, str], token: str, real_size: bool) -> str:
    async with demo_client(urls["org-registry"], token, timeout=600) as client:
        return await load_into(client, real_size)


if __name__ == "__main__":  # load into a running org-registry: python -m org_registry.demo [--real-size]
    import sys

    from yizhou.auth import mint_token
    from yizhou_platform.demo_district import DISTRICT
    from yizhou.settings import ServiceSettings

    settings = ServiceSettings()
    admin = mint_token(settings.jwt_secret, role="district_admin", area=DISTRICT[0], issuer=settings.jwt_issuer)
    url = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--url=")), "http://127.0.0.1:8001")
    print(asyncio.run(load_demo({"org-registry": url}, admin, "--real-size" in sys.argv)))
