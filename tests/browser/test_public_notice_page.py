"""The public notice (公示) in a real browser: Debian's Chromium (`/usr/bin/chromium`) driven by
Playwright for Python, against the four services running as processes (as `make run` starts them).
Demands flow through the platform; the page renders, the figures on it equal demand-intake's
/api/v1/rates for the same area and month, no request leaves the machine, and screenshots are written
to $SCREENSHOT_DIR (default var/screenshots/) for CI to keep.

Skipped only when /usr/bin/chromium is missing, and never when REQUIRE_BROWSER=1 (CI sets it): there
a missing browser fails the test."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from notice_helpers import RATES, axis, expected_from, figures_in, make_demands, shown
from yizhou.clock import SystemClock
from yizhou.district_clock import DEFAULT_ZONE, month_containing
from yizhou_platform.testing import eventually

pytestmark = [pytest.mark.flow]

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots")


def browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    print(f"skipping the browser test: {reason}")
    pytest.skip(reason)


async def test_public_notice_in_chromium_shows_the_api_figures(platform_factory, auth, unique_code):
    browser_or_skip()
    from playwright.async_api import async_playwright

    platform = platform_factory()
    org, demand = platform["org-registry"].url, platform["demand-intake"].url
    d = unique_code("PB")
    admin = auth("district_admin", d)
    month = month_containing(SystemClock().now(), DEFAULT_ZONE)
    async with httpx.AsyncClient(timeout=30) as http:
        for area in axis(d):
            assert (await http.post(f"{org}/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def copied():
            return (await http.get(f"{demand}/api/v1/areas/{d}G1", headers=admin)).status_code == 200

        await eventually(copied, timeout_s=90)
        await make_demands(lambda path, body: http.post(f"{demand}{path}", json=body, headers=admin), f"{d}G1",
                           unique_code)

        async def api_rates(code: str) -> dict:
            response = await http.get(f"{demand}/api/v1/rates", params={"under": code, "period": month}, headers=admin)
            assert response.status_code == 200, response.text
            return response.json()

        async def settled():   # every demand event has reached demand-intake's read model and the notice's
            expected = expected_from(await api_rates(d))
            page = await http.get(f"{org}/public/{d}")
            return expected["submitted"] == "6" and expected["resolution_rate"] != "—" and \
                figures_in(page.text, month) == expected

        await eventually(settled, timeout_s=90)

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        foreign: list[str] = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                               args=["--no-sandbox", "--disable-gpu"])
            try:
                for viewport, suffix in (({"width": 1280, "height": 900}, "desktop"),
                                         ({"width": 390, "height": 844}, "phone")):
                    context = await browser.new_context(viewport=viewport, locale="zh-CN")

                    async def local_only(route):   # every request, page or sub-resource, or the test fails
                        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
                            await route.continue_()
                        else:
                            foreign.append(route.request.url)
                            await route.abort()

                    await context.route("**/*", local_only)
                    page = await context.new_page()
                    for code in (d, f"{d}S1", f"{d}C1"):
                        response = await page.goto(f"{org}/public/{code}", wait_until="networkidle")
                        assert response is not None and response.status == 200
                        assert await page.title() == f"{axis(d)[[d, f'{d}S1', f'{d}C1'].index(code)]['name']} 公示"
                        assert await page.locator(".chart svg").count() >= 1
                        api = await api_rates(code)
                        row = page.locator(f'#rates tr[data-month="{month}"]')
                        on_page = {k: (await row.locator(f'td[data-figure="{k}"]').inner_text()).strip()
                                   for k in ("submitted", *RATES)}
                        assert on_page == {"submitted": str(api["submitted"]), **{k: shown(api[k]) for k in RATES}}, code
                        await page.screenshot(path=str(SCREENSHOTS / f"public-notice-{code}-{suffix}.png"), full_page=True)
                    # Nothing wider than the screen on a phone: tables scroll in their own box.
                    width = await page.evaluate("document.documentElement.scrollWidth")
                    assert width <= viewport["width"], (suffix, width)
                    await context.close()
            finally:
                await browser.close()
        assert foreign == [], f"requests left the machine: {foreign}"
        assert len(list(SCREENSHOTS.glob(f"public-notice-{d}*.png"))) == 6
