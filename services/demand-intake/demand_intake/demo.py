"""Demo data of demand-intake: a few thousand demands spread over channels, categories, the past six
months and every state, imported through the bulk endpoint (one transaction per 500) so it takes
seconds, and a few of this month entered live and called back (回访), for the rankings. Deterministic:
the same seed gives the same district."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx

from demand_intake.domain.categories import service_categories
from yizhou_platform.demo_district import REAL, SMALL, demo_areas, demo_client

CHANNEL_WEIGHTS = {"walk_around": 24, "must_visit": 12, "online": 22, "hotline": 20, "reception_room": 8,
                   "hearing_board": 9, "deliberation_meeting": 5}
TEXTS = ["楼道灯不亮，晚上出行不便", "小区停车难，消防通道被占用", "独居老人需要助餐服务", "暖气不热，室温偏低",
         "下水道堵塞，污水外溢", "垃圾清运不及时", "广场舞音响扰民", "电梯经常故障", "路面破损需要修补",
         "希望开设儿童课后托管", "需要就业技能培训", "老旧小区加装电梯咨询", "邻里噪音纠纷需要调解", "社区卫生站开放时间短"]
SURNAMES = "王李张刘陈杨赵黄周吴"
BATCH = 500


def _steps(rng: random.Random, age_h: float, units: list[str]) -> list[dict]:
    """A plausible past for a demand submitted `age_h` hours ago; every step before now. Assignments go
    to one of `units` (registered in org-registry) two times in five, else to a department by name."""
    outcome = rng.choices(["submitted", "rejected", "withdrawn", "accepted", "assigned", "in_progress", "resolved",
                           "closed", "reopened"], [6, 4, 4, 8, 10, 10, 10, 42, 6])[0]
    if outcome == "submitted":
        return []
    t = rng.uniform(0.5, 30)
    if outcome in ("rejected", "withdrawn"):
        return [{"action": "reject" if outcome == "rejected" else "withdraw", "after_hours": min(t, age_h)}]
    plan = [("accept", t)]
    if outcome != "accepted":
        t += rng.uniform(1, 24)
        plan.append(("assign", t))
    if outcome in ("in_progress", "resolved", "closed", "reopened"):
        t += rng.uniform(1, 48)
        plan.append(("start", t))
    if outcome in ("resolved", "closed", "reopened"):
        t += rng.uniform(12, 220)
        plan.append(("resolve", t))
    if outcome in ("closed", "reopened"):
        t += rng.uniform(2, 72)
        plan.append(("close", t))
    if plan[-1][1] > age_h:  # not yet that far along: keep the steps that already happened
        plan = [p for p in plan if p[1] <= age_h]
    steps = []
    for action, at in plan:
        step = {"action": action, "after_hours": round(at, 3)}
        if action == "assign":
            if units and rng.random() < 0.4:
                step["unit_id"] = rng.choice(units)
            else:
                step["assignee"] = rng.choice(["物业公司", "街道城管科", "区住建委", "社区居委会", "志愿服务队"])
        if action == "close":
            step["feedback"] = "dissatisfied" if outcome == "reopened" else rng.choices(
                ["satisfied", "basically_satisfied", None], [72, 20, 8])[0]
        steps.append(step)
    return steps


def demo_demands(grids: list[str], count: int, now: datetime, seed: int = 20260105,
                 units: list[str] | None = None) -> list[dict]:
    rng = random.Random(seed)
    categories = sorted(service_categories())
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    demands = []
    for i in range(count):
        age_h = rng.uniform(1, 180 * 24)
        anonymous = rng.random() < 0.15
        body = {
            "channel": rng.choices(channels, weights)[0], "category": rng.choice(categories),
            "urgency": rng.choices(["emergency", "urgent", "normal"], [6, 18, 76])[0],
            "description": f"{rng.choice(TEXTS)}（{i}）", "area_code": rng.choice(grids),
            "submitted_at": (now - timedelta(hours=age_h)).isoformat(),
            "resident": {"anonymous": True} if anonymous else
            {"name": rng.choice(SURNAMES) + rng.choice(["女士", "先生", "阿姨", "大爷"]), "phone": f"1380000{i % 10000:04d}"},
            "steps": _steps(rng, age_h, units or []),
        }
        if body["channel"] == "must_visit":
            body["priority_household"] = rng.choice(["elderly_alone", "disabled", "low_income", "other"])
        demands.append(body)
    return demands


async def load_demo(urls: dict[str, str], token: str, real_size: bool) -> str:
    scale = REAL if real_size else SMALL
    grids = [a["code"] for a in demo_areas(scale)[3]]
    count = 5000 if real_size else 2000
    async with demo_client(urls["demand-intake"], token, timeout=120) as client:
        for _ in range(600):  # the read copy of the axis arrives through the broker: wait for the last grid
            if (await client.get(f"/api/v1/areas/{grids[-1]}")).status_code == 200:
                break
            await asyncio.sleep(0.5)
        else:
            raise RuntimeError("demand-intake never received the demo axis")
        existing = (await client.get("/api/v1/demands", params={"limit": 1})).json()["items"]
        if existing:
            return "demo demands already loaded"
        units = await _agencies(urls["org-registry"], token)
        demands = demo_demands(grids, count, datetime.now(UTC), units=units)
        for start in range(0, len(demands), BATCH):
            for _ in range(120):   # the units' copies reach demand-intake through the broker too
                response = await client.post("/api/v1/demands/import", json={"demands": demands[start:start + BATCH]})
                if not (response.status_code == 422 and "registered unit" in response.text):
                    break
                await asyncio.sleep(0.5)
            if response.status_code != 201:
                raise RuntimeError(f"demo import failed: {response.status_code} {response.text[:500]}")
        called = await _called_back_month(client, grids)
    return (f"{count} demands over {len(grids)} grids, 7 channels and every state, some assigned to {len(units)} "
            f"registered agencies (rates: GET /api/v1/rates?period=...; a unit's: &unit_id=...); {called} handled this "
            f"month and called back (GET /api/v1/rankings?month=...)")


async def _called_back_month(client: httpx.AsyncClient, grids: list[str], seed: int = 20261101) -> int:
    """A few demands of this month entered live, handled and called back by staff, so the rankings and each
    month's problem have something residents said (imported demands are in no scored figure)."""
    rng = random.Random(seed)
    categories = sorted(service_categories())[:4]   # few categories: some recur, as a month's problem does
    called = 0
    for i, grid in enumerate(grids[:: max(1, len(grids) // 30)][:30]):
        for _ in range(rng.randint(1, 4)):
            body = {"channel": "walk_around", "category": rng.choice(categories), "urgency": "normal",
                    "description": f"{rng.choice(TEXTS)}（回访 {i}）", "area_code": grid, "resident": {"anonymous": True}}
            response = await client.post("/api/v1/demands", json=body)
            if response.status_code != 201:
                raise RuntimeError(f"demo demand failed: {response.status_code} {response.text[:500]}")
            demand_id = response.json()["demand"]["id"]
            for step in ("accept", "resolve"):
                await client.post(f"/api/v1/demands/{demand_id}/{step}")
            answer = {"resolved": rng.random() < 0.8,
                      "satisfaction": rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [60, 25, 15])[0],
                      "source": "callback_by_staff"}
            if (await client.post(f"/api/v1/demands/{demand_id}/callbacks", json=answer)).status_code == 201:
                called += 1
    return called


async def _agencies(org_registry_url: str, token: str) -> list[str]:
    """Ids of a few of org-registry's demo agencies (none if it cannot say: then names only)."""
    try:
        async with demo_client(org_registry_url, token, timeout=30) as client:
            response = await client.get("/api/v1/units", params={"kind": "agency", "limit": 5})
        return [unit["id"] for unit in response.json()["items"]] if response.status_code == 200 else []
    except httpx.HTTPError:
        return []
