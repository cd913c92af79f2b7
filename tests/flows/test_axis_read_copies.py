"""Four processes, one broker: the axis made in org-registry appears in every other service's
read copy, and follows renames, moves and retirements. Also: the relay killed after commit."""

import httpx
import pytest

from yizhou_platform.testing import eventually

pytestmark = pytest.mark.flow
READERS = ("demand-intake", "project-matching", "dual-registration")


def make_tree(client: httpx.Client, admin: dict, d: str) -> None:
    for area in [
        {"code": d, "name": "Flow District", "level": "district"},
        {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}S2", "name": "South", "level": "subdistrict", "parent_code": d},
        {"code": f"{d}C1", "name": "Elm", "level": "community", "parent_code": f"{d}S1"},
        {"code": f"{d}G1", "name": "Elm Grid", "level": "grid", "parent_code": f"{d}C1"},
    ]:
        response = client.post("/api/v1/areas", json=area, headers=admin)
        assert response.status_code == 201, response.text


def read_copy(platform, service: str, code: str, headers: dict) -> dict | None:
    response = httpx.get(f"{platform[service].url}/api/v1/areas/{code}", headers=headers, timeout=5)
    return response.json() if response.status_code == 200 else None


def applied(platform, service: str, event_type: str) -> float:
    """events_applied_total of one service for one event type (counts applications, not deliveries)."""
    text = httpx.get(f"{platform[service].url}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("events_applied_total{") and f'event_type="{event_type}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_area_changes_reach_every_read_copy(platform_factory, auth, unique_code):
    platform = platform_factory()
    d = unique_code("F")
    admin = auth("district_admin", d)
    with httpx.Client(base_url=platform["org-registry"].url, timeout=10) as org:
        make_tree(org, admin, d)

        async def everywhere(predicate):
            for service in READERS:
                area = read_copy(platform, service, f"{d}G1", admin)
                assert area is not None and predicate(area), (service, area)
            return True

        await eventually(lambda: everywhere(lambda a: a["path"] == f"/{d}/{d}S1/{d}C1/{d}G1/"), timeout_s=60)

        assert org.patch(f"/api/v1/areas/{d}G1", json={"name": "Elm Grid One"}, headers=admin).status_code == 200
        assert org.post(f"/api/v1/areas/{d}C1/move", json={"new_parent_code": f"{d}S2"}, headers=admin).status_code == 200
        assert org.post(f"/api/v1/areas/{d}G1/retire", headers=admin).status_code == 200
        await eventually(lambda: everywhere(
            lambda a: a["name"] == "Elm Grid One" and a["path"] == f"/{d}/{d}S2/{d}C1/{d}G1/" and a["retired"]), timeout_s=60)

    # The read copies scope callers too: the north subdistrict no longer sees the moved community.
    north = auth("subdistrict_admin", f"{d}S1")
    for service in READERS:
        assert read_copy(platform, service, f"{d}C1", north) is None
        assert read_copy(platform, service, f"{d}C1", auth("subdistrict_admin", f"{d}S2"))["code"] == f"{d}C1"


async def test_relay_killed_after_commit_loses_nothing(platform_factory, auth, unique_code):
    platform = platform_factory()
    org = platform["org-registry"]
    d = unique_code("K")
    admin = auth("district_admin", d)
    before = {s: applied(platform, s, "area.created") for s in READERS}

    # Restart org-registry with its relay off: writes commit to the outbox and go nowhere.
    org.kill()
    org.start({"OUTBOX_RELAY_ENABLED": "false"})
    org.wait_healthy()
    with httpx.Client(base_url=org.url, timeout=10) as client:
        make_tree(client, admin, d)
    org.kill()  # SIGKILL: the events are committed, none was published

    assert all(read_copy(platform, s, d, admin) is None for s in READERS)
    org.start()
    org.wait_healthy()

    async def all_arrived():
        return all(read_copy(platform, s, f"{d}G1", admin) for s in READERS)

    await eventually(all_arrived, timeout_s=60)
    for service in READERS:  # five areas created, each applied exactly once
        assert applied(platform, service, "area.created") - before[service] == 5
