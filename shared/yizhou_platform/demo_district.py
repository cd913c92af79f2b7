"""A deterministic demo district on the axis, loaded through org-registry's API.

Small by default (3 subdistricts x 3 communities x 2 grids); `real` is the real size of the
district the seeds describe: 43 subdistricts, 344 communities (8 each), 3 grids per community.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

class RetryWhenUnavailable(httpx.AsyncBaseTransport):
    """The demo loaders' transport: an answer 503 `unavailable` (a busy SQLite file while the services
    catch up on each other's events, a database restarting) is asked again a few times with a growing
    pause, as the problem says to; nothing was written by the refused request (it rolled back)."""

    def __init__(self, attempts: int = 6, pause_s: float = 1.0, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._attempts, self._pause_s = attempts, pause_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, self._attempts + 1):
            response = await self._inner.handle_async_request(request)
            if response.status_code != 503 or attempt == self._attempts:
                return response
            await response.aclose()
            await asyncio.sleep(self._pause_s * attempt)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._inner.aclose()


def demo_client(base_url: str, token: str, timeout: float = 60) -> httpx.AsyncClient:
    """An HTTP client of a service's API for a demo loader (bearer token, 503s retried)."""
    return httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout,
                             transport=RetryWhenUnavailable())


DISTRICT = ("CY", "Chaoyang District")
# Real subdistrict names of the district first, numbered ones after (the demo stays deterministic).
SUBDISTRICT_NAMES = [
    "Jianwai", "Chaowai", "Hujialou", "Sanlitun", "Zuojiazhuang", "Xiangheyuan", "Heping Street", "Anzhen",
    "Yayuncun", "Xiaoguan", "Jiuxianqiao", "Maizidian", "Tuanjiehu", "Liulitun", "Balizhuang", "Shuangjing",
    "Jinsong", "Panjiayuan", "Jingsong", "Datun", "Wangjing", "Aoyuncun", "Dongba",
]


@dataclass(frozen=True)
class Scale:
    subdistricts: int
    communities_per_subdistrict: int
    grids_per_community: int


SMALL = Scale(3, 3, 2)
REAL = Scale(43, 8, 3)


def demo_areas(scale: Scale) -> list[list[dict]]:
    """Areas level by level (parents before children). Every third level-2 area is an area (地区, more rural:
    the district has 24 subdistricts and 19 areas) whose last community is a village (村)."""
    code, name = DISTRICT
    levels: list[list[dict]] = [[{"code": code, "name": name, "level": "district", "parent_code": None}], [], [], []]
    for s in range(1, scale.subdistricts + 1):
        s_code = f"{code}{s:02d}"
        s_name = SUBDISTRICT_NAMES[s - 1] if s <= len(SUBDISTRICT_NAMES) else f"Subdistrict {s:02d}"
        rural = s % 3 == 0
        levels[1].append({"code": s_code, "name": f"{s_name} {'Area' if rural else 'Subdistrict'}",
                          "level": "subdistrict", "kind": "area" if rural else "subdistrict", "parent_code": code})
        for c in range(1, scale.communities_per_subdistrict + 1):
            c_code = f"{s_code}{c:03d}"
            village = rural and c == scale.communities_per_subdistrict
            levels[2].append({"code": c_code, "name": f"{s_name} {'Village' if village else 'Community'} {c}",
                              "level": "community", "kind": "village" if village else "community",
                              "parent_code": s_code})
            for g in range(1, scale.grids_per_community + 1):
                levels[3].append({"code": f"{c_code}{g:02d}", "name": f"{s_name} Community {c} Grid {g}",
                                  "level": "grid", "parent_code": c_code})
    return levels


async def load_demo(org_registry_url: str, token: str, scale: Scale = SMALL, concurrency: int = 16) -> int:
    """Creates the demo areas; already existing ones are left alone. Returns how many were created."""
    created = 0
    limit = asyncio.Semaphore(concurrency)
    async with demo_client(org_registry_url, token, timeout=30) as client:

        async def create(area: dict) -> int:
            async with limit:
                response = await client.post("/api/v1/areas", json=area)
            if response.status_code == 201:
                return 1
            if response.status_code == 409:
                return 0
            raise RuntimeError(f"creating {area['code']} failed: {response.status_code} {response.text}")

        for level in demo_areas(scale):
            created += sum(await asyncio.gather(*(create(a) for a in level)))
    return created
