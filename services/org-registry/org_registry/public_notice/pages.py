"""The pages: `GET /public/{area_code}` (公示, no token) and `GET /staff/overview/{area_code}` (a staff
token whose area covers it). Server-rendered with Jinja2, charts inline (charts.py), no script.

They are pages for people, not API operations, so they stay out of the OpenAPI document (as
/metrics does); a bad or unknown area code still answers problem+json (422 `validation`, 404
`not-found`), never a page about nothing."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from org_registry.public_notice import queries
from org_registry.public_notice.charts import counts_chart, rates_chart
from org_registry.public_notice.figures import by_month, last_months, percent
from yizhou.auth import AreaScope
from yizhou.contracts.categories import CATEGORY_NAMES_ZH
from yizhou.dependencies import ClockDep, DatabaseDep, require_roles
from yizhou.district_clock import local, period_bounds
from yizhou.personal_data import STAFF_ROLES
from yizhou.problems import Problem

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
templates.env.filters["percent"] = percent

MONTHS_SHOWN = 12
AreaCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="An area's code (CY01001)")]
StaffScope = Annotated[AreaScope, Depends(require_roles(*STAFF_ROLES))]

# The words the page shows for the partner topics' codes (the pages are Chinese only).
LEVELS = {"district": "区", "subdistrict": "街道", "community": "社区", "grid": "网格"}
STEPS = {"understand": "摸需求", "design": "定项目", "review": "评审立项", "implement": "实施", "evaluate": "评估"}
STATES = {"in_review": "评审中", "approved": "已立项", "rejected": "未通过", "implementing": "实施中",
          "completed": "已完成", "evaluated": "已评估"}
RATINGS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
SUBJECTS = {"unit": "驻区单位", "member": "在职党员"}


def _names(request: Request) -> dict:
    settings = request.app.state.settings
    return {"zone": settings.district_zone, "zone_name": settings.district_time_zone, "levels": LEVELS, "steps": STEPS, "states": STATES, "ratings": RATINGS, "subjects": SUBJECTS,
            "categories": CATEGORY_NAMES_ZH}


async def _area_and_months(request: Request, session, code: str, clock):
    area = await queries.area(session, code)
    if area is None:
        raise Problem("not-found", f"No area '{code}' on the public notice.")
    zone = request.app.state.settings.district_zone
    now = clock.now()
    months = last_months(now, zone, MONTHS_SHOWN)
    since = period_bounds(months[0], zone)[0]
    figures = by_month(await queries.demands_since(session, area.path, since), months, zone)
    return area, figures, local(now, zone)


@router.get("/public/{area_code}", response_class=HTMLResponse)
async def public_notice(request: Request, db: DatabaseDep, clock: ClockDep, area_code: AreaCode) -> HTMLResponse:
    async with db.sessions() as session:
        area, months, now = await _area_and_months(request, session, area_code, clock)
        projects = await queries.projects(session, area.path)
        evaluations = await queries.evaluation_summaries(session, area.path)
        subs = await queries.sub_areas(session, area)
    return templates.TemplateResponse(request, "public.html", {
        "area": area, "months": months[::-1], "rates_svg": rates_chart(months), "projects": projects,
        "evaluations": evaluations, "sub_areas": subs, "as_of": now, **_names(request)},
        headers={"Cache-Control": "public, max-age=60"})


@router.get("/staff/overview/{area_code}", response_class=HTMLResponse)
async def staff_overview(request: Request, db: DatabaseDep, clock: ClockDep, scope: StaffScope,
                         area_code: AreaCode) -> HTMLResponse:
    async with db.sessions() as session:
        area, months, now = await _area_and_months(request, session, area_code, clock)
        if not scope.covers(area.path):   # outside the caller's subtree: as unknown, like every other record
            raise Problem("not-found", f"No area '{area_code}' on the public notice.")
        subs = await queries.sub_areas(session, area)
        backlog = await queries.open_demands(session, area.path)
    per_sub = []
    for sub in subs:
        mine = [f for path, f in backlog if path.startswith(sub.path)]
        per_sub.append((sub, len(mine), sum(1 for f in mine if f.overdue)))
    overdue = sum(1 for _, f in backlog if f.overdue)
    return templates.TemplateResponse(request, "staff.html", {
        "area": area, "months": months[::-1], "rates_svg": rates_chart(months), "counts_svg": counts_chart(months),
        "backlog": len(backlog), "overdue": overdue, "per_sub": per_sub, "as_of": now, **_names(request)},
        headers={"Cache-Control": "private, no-store"})
