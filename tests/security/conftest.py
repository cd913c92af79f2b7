"""One running platform (the four services as processes, on the session's broker and databases) shared
by the security tests, with an axis of two districts on it and each service's OpenAPI document.

The axis: D1 > S1 > C1 > G1 (the callers' own branch), D1 > S2 > C2 > G2 (a sibling branch: foreign to
everyone below the district), D2 > S3 > C3 > G3 (another district: foreign to everyone).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx
import pytest

from yizhou_platform.embedded_broker import free_port
from yizhou_platform.launcher import SERVICES, Platform
from yizhou_platform.testing import eventually

sys.path.insert(0, str(Path(__file__).parent))

READ_COPIES = ("demand-intake", "project-matching", "dual-registration")


@pytest.fixture(scope="session")
def axis() -> dict[str, str]:
    tag = uuid.uuid4().hex[:6].upper()
    names = {}
    for branch, (d, s) in {"1": ("1", "1"), "2": ("1", "2"), "3": ("2", "3")}.items():
        names |= {f"d{d}": f"Z{tag}D{d}", f"s{s}": f"Z{tag}S{s}", f"c{s}": f"Z{tag}C{s}", f"g{s}": f"Z{tag}G{s}"}
    return names


def axis_tree(axis: dict[str, str]) -> list[dict]:
    areas = []
    for d in ("1", "2"):
        areas.append({"code": axis[f"d{d}"], "name": f"District {d}", "level": "district"})
    for s, d in (("1", "1"), ("2", "1"), ("3", "2")):
        areas += [{"code": axis[f"s{s}"], "name": f"Street {s}", "level": "subdistrict", "parent_code": axis[f"d{d}"]},
                  {"code": axis[f"c{s}"], "name": f"Community {s}", "level": "community", "parent_code": axis[f"s{s}"]},
                  {"code": axis[f"g{s}"], "name": f"Grid {s}", "level": "grid", "parent_code": axis[f"c{s}"]}]
    return areas


@pytest.fixture(scope="package")
async def security_platform(service_env, tmp_path_factory, axis, token):
    """The four services as processes, with the two-district axis in org-registry and every read copy.
    Stopped when the security tests end (package scope): its consumers share the session's consumer
    groups, so, left running, they took partitions from the apps the tests run after them start."""
    data_dir = Path(service_env.get("YIZHOU_DATA_DIR") or tmp_path_factory.mktemp("security"))
    platform = Platform(bootstrap=service_env["KAFKA_BOOTSTRAP_SERVERS"], data_dir=data_dir,
                        ports={s.name: free_port() for s in SERVICES}, extra_env=service_env)
    platform.start()
    try:
        async with httpx.AsyncClient(base_url=platform["org-registry"].url, timeout=30) as org:
            for area in axis_tree(axis):
                district = axis["d2"] if area["code"].endswith(("D2", "S3", "C3", "G3")) else axis["d1"]
                headers = {"Authorization": f"Bearer {token('district_admin', district)}"}
                response = await org.post("/api/v1/areas", json=area, headers=headers)
                assert response.status_code == 201, response.text

        async def copies_complete():
            async with httpx.AsyncClient(timeout=10) as client:
                for service in READ_COPIES:
                    for grid, district in (("g1", "d1"), ("g2", "d1"), ("g3", "d2")):
                        headers = {"Authorization": f"Bearer {token('district_admin', axis[district])}"}
                        r = await client.get(f"{platform[service].url}/api/v1/areas/{axis[grid]}", headers=headers)
                        assert r.status_code == 200, (service, grid, r.text)
            return True

        await eventually(copies_complete, timeout_s=120)
        yield platform
    finally:
        platform.stop()


@pytest.fixture(scope="package")
def openapi_documents(security_platform) -> dict[str, dict]:
    return {name: httpx.get(f"{s.url}/openapi.json", timeout=30).json() for name, s in security_platform.services.items()}


def pytest_terminal_summary(terminalreporter) -> None:
    import openapi_catalogue

    if openapi_catalogue.FIGURES:
        terminalreporter.section("security figures")
        for line in openapi_catalogue.FIGURES:
            terminalreporter.write_line(line)
