"""What both public-notice tests do: build a small axis, send demands through demand-intake's API,
and read a page's figures (the rates table's `data-figure` cells) and the API's for the same month."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BODY = {"channel": "hotline", "category": "public_space", "urgency": "normal", "description": "路灯不亮"}
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")


def axis(d: str) -> list[dict]:
    return [{"code": d, "name": "公示测试区", "level": "district"},
            {"code": f"{d}S1", "name": "北街道", "level": "subdistrict", "parent_code": d},
            {"code": f"{d}C1", "name": "榆树社区", "level": "community", "parent_code": f"{d}S1"},
            {"code": f"{d}G1", "name": "榆树一网格", "level": "grid", "parent_code": f"{d}C1"}]


async def make_demands(post, grid: str, unique) -> list[str]:
    """Seven demands: two closed (satisfied, basically satisfied, as staff recorded), one rejected, one resolved, one accepted
    (open), one only submitted (open), one withdrawn (outside the rates); the closed and the resolved
    ones called back, the resident answering staff's call (resolved, not, resolved), plus a staff entry
    that the scored rates leave out."""
    async def new() -> str:
        response = await post("/api/v1/demands", {**BODY, "area_code": grid, "description": f"路灯不亮 {unique('x')}"})
        assert response.status_code == 201, response.text
        return response.json()["demand"]["id"]

    async def act(demand_id: str, *steps) -> None:
        for action, body in steps:
            response = await post(f"/api/v1/demands/{demand_id}/{action}", body)
            assert response.status_code == 200, (action, response.text)

    ids = [await new() for _ in range(7)]
    a, b, c, e, f, _, w = ids
    done = [("accept", None), ("resolve", None)]
    await act(a, *done, ("close", {"feedback": "satisfied"}))
    await act(b, *done, ("close", {"feedback": "basically_satisfied"}))
    await act(c, ("reject", {"note": "不属于受理范围"}))
    await act(e, *done)
    await act(f, ("accept", None))
    await act(w, ("withdraw", None))
    for demand_id, resolved, satisfaction, source in [(a, True, "satisfied", "callback_by_staff"),
                                                       (b, False, "dissatisfied", "callback_by_staff"),
                                                       (e, True, "basically_satisfied", "callback_by_staff"),
                                                       (e, False, "dissatisfied", "staff_entry")]:
        response = await post(f"/api/v1/demands/{demand_id}/callbacks",
                              {"resolved": resolved, "satisfaction": satisfaction, "source": source})
        assert response.status_code == 201, response.text
    return ids


def shown(rate: float | None) -> str:
    """How the page writes a rate the API gives as a fraction (figures.percent)."""
    return "—" if rate is None else f"{rate * 100:.2f}%"


class _Cells(HTMLParser):
    def __init__(self, month: str) -> None:
        super().__init__()
        self.month, self.row, self.cell, self.cells = month, None, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self.row = a.get("data-month")
        elif tag == "td" and self.row == self.month and "data-figure" in a:
            self.cell = a["data-figure"]

    def handle_data(self, data):
        if self.cell and self.cell not in self.cells:
            self.cells[self.cell] = data.strip()

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None


def figures_in(html: str, month: str) -> dict[str, str]:
    """The first rates table's cells of `month` in a page's HTML: {'submitted': '6', 'response_rate': ...}."""
    html = re.split(r'<table id="rates"', html, maxsplit=1)[-1]
    parser = _Cells(month)
    parser.feed(html)
    return parser.cells


def expected_from(api_rates: dict) -> dict[str, str]:
    return {"submitted": str(api_rates["submitted"]), **{k: shown(api_rates[k]) for k in RATES}}
