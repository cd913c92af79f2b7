"""Open311 GeoReport v2 facade under /open311/v2 (`.json` and `.xml`), mapped onto the same demands.

Errors use Open311's own format (a list of {code, description}, in the format asked for), so this router parses its
input by hand instead of through FastAPI's validation (which answers problem+json). Service codes
are the platform's category codes; `address_id` is an area code of the axis (a grid or community).
Discovery and services are public; requests need the platform's bearer token.
"""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response

from demand_intake.api.open311_formats import FORMATS, MEDIA_TYPES, answer
from demand_intake.domain.categories import service_categories
from demand_intake.domain.demand import Channel, Demand, PriorityHousehold, Resident, State, Urgency
from demand_intake.use_cases import demands as use_cases
from demand_intake.use_cases.access import SUBMITTERS, scrub
from demand_intake.use_cases.demands import Submission
from yizhou.auth import Role
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import ClockDep, get_caller, get_scope
from yizhou.errors import ApplicationError
from yizhou.list_parameters import OPEN_QUERY
from yizhou.personal_data import mask_address, mask_coordinate, sees_personal_data
from yizhou.query_lists import MAX_QUERY_LIST_ITEMS, unique_values

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])
SPEC = "http://wiki.open311.org/GeoReport_v2"
CLOSED = {State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED}
MAX_RESULTS = 1000
_CODE = re.compile(CODE_PATTERN)
_ERRORS = {401: "unauthenticated", 403: "forbidden", 404: "not found", 422: "invalid"}


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def error(fmt: str, code: int, description: str) -> Response:
    return answer(fmt if fmt in FORMATS else "json", [{"code": code, "description": description}], "errors", code)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


async def _scope(request: Request):
    try:
        caller = await get_caller(request, _bearer(request))
        return await get_scope(request, caller)
    except ApplicationError as exc:
        raise Open311Error(exc.status, exc.detail) from None


def _bearer(request: Request):
    from fastapi.security import HTTPAuthorizationCredentials

    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if scheme and token else None


def guarded(root: str):
    """The handler's data answered in the path's format under the XML element `root`; every failure in
    Open311's error format, never problem+json."""

    def decorate(handler):
        async def wrapper(request: Request, **kw):
            fmt = kw["fmt"]
            try:
                if fmt not in FORMATS:
                    raise Open311Error(400, f"Format '{fmt}' is not served; use .json or .xml.")
                return answer(fmt, await handler(request, **kw), root)
            except Open311Error as exc:
                return error(fmt, exc.code, exc.description)
            except ApplicationError as exc:
                return error(fmt, 400 if exc.status == 422 else exc.status, exc.detail)

        wrapper.__name__ = handler.__name__
        wrapper.__doc__ = handler.__doc__
        wrapper.__signature__ = inspect.signature(handler)
        return wrapper

    return decorate


@router.get("/discovery.{fmt}", summary="Open311 service discovery")
@guarded("discovery")
async def discovery(request: Request, fmt: str):
    base = str(request.base_url).rstrip("/") + "/open311/v2"
    return {"changeset": "2026-01-01T00:00:00Z", "contact": "Yizhou platform operators",
            "key_service": "Bearer tokens are issued by the district platform (`yizhou token`).",
            "endpoints": [{"specification": SPEC, "url": base, "changeset": "2026-01-01T00:00:00Z",
                           "type": "production", "formats": [MEDIA_TYPES[f] for f in FORMATS]}]}


@router.get("/services.{fmt}", summary="Open311 service list: the platform's service categories")
@guarded("services")
async def services(request: Request, fmt: str):
    return [{"service_code": code, "service_name": name, "description": name, "metadata": True, "type": "realtime",
             "keywords": code.replace("_", ","), "group": "demands"} for code, name in sorted(service_categories().items())]


ATTRIBUTES = [
    {"variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
     "datatype_description": "How urgent; sets the deadlines", "order": 1, "description": "Urgency",
     "values": [{"key": u.value, "name": u.value} for u in Urgency]},
    {"variable": True, "code": "priority_household", "datatype": "singlevaluelist", "required": False,
     "datatype_description": "Priority household kind (十必访)", "order": 2, "description": "Priority household",
     "values": [{"key": p.value, "name": p.value} for p in PriorityHousehold]},
    {"variable": True, "code": "channel", "datatype": "singlevaluelist", "required": False,
     "datatype_description": "How it reached us (online by default)", "order": 3, "description": "Channel",
     "values": [{"key": c.value, "name": c.value} for c in Channel]},
]


@router.get("/services/{service_code}.{fmt}", summary="Open311 service definition")
@guarded("service_definition")
async def service_definition(request: Request, service_code: str, fmt: str):
    if service_code not in service_categories():
        raise Open311Error(404, f"No service '{service_code}'.")
    return {"service_code": service_code, "attributes": ATTRIBUTES}


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
            return {str(k): "" if v is None else str(v) for k, v in body.items()}
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (ValueError, UnicodeDecodeError):
        raise Open311Error(400, "The body is neither a form (application/x-www-form-urlencoded) nor a JSON object.") from None
    return {k: v[-1] for k, v in parsed.items()}


def _float(form: dict, name: str, low: float, high: float) -> float | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number.") from None
    if not low <= number <= high:
        raise Open311Error(400, f"{name} is out of range.")
    return number


def _choice(form: dict, name: str, enum, default=None):
    value = form.get(f"attribute[{name}]", "").strip()
    if not value:
        return default
    try:
        return enum(value)
    except ValueError:
        raise Open311Error(400, f"attribute[{name}] must be one of {[e.value for e in enum]}.") from None


@router.post("/requests.{fmt}", summary="Open311: create a service request (a demand)")
@guarded("service_requests")
async def create_request(request: Request, clock: ClockDep, fmt: str):
    scope = await _scope(request)
    if scope.caller.role not in SUBMITTERS:
        raise Open311Error(403, f"Role '{scope.caller.role.value}' does not submit service requests.")
    form = await _form(request)
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    if code not in service_categories():
        raise Open311Error(404, f"No service '{code}'.")
    lat, lon = _float(form, "lat", -90, 90), _float(form, "long", -180, 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long come together.")
    address_id = form.get("address_id", "").strip() or None
    address = form.get("address_string", "").strip() or None
    if lat is None and address is None and address_id is None:
        raise Open311Error(400, "A location is required: lat & long, address_string or address_id.")
    if address_id is not None and not _CODE.match(address_id):
        raise Open311Error(400, "address_id is an area code of the platform's axis.")
    description = form.get("description", "").strip()
    if len(description) < 2 or len(description) > 4000:
        raise Open311Error(400, "description is required (2 to 4000 characters).")
    if address is not None and len(address) > 300:
        raise Open311Error(400, "address_string is longer than 300 characters.")
    name = " ".join(p for p in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if p)[:50] or None
    phone = re.sub(r"[^0-9+]", "", form.get("phone", ""))[:20] or None
    default_channel = Channel.ONLINE if scope.caller.role == Role.RESIDENT else Channel.HOTLINE
    sub = Submission(channel=_choice(form, "channel", Channel, default_channel), category=code,
                     urgency=_choice(form, "urgency", Urgency, Urgency.NORMAL), description=description,
                     area_code=address_id or scope.caller.area,
                     resident=Resident(name=name, phone=phone, anonymous=not (name or phone)),
                     priority_household=_choice(form, "priority_household", PriorityHousehold),
                     latitude=lat, longitude=lon, address=address)
    submitted = await use_cases.submit(db_of(request), scope, clock, request.app.state.settings, sub)
    notice = "Received; a duplicate may already be open nearby." if submitted.possible_duplicates else "Received."
    return [{"service_request_id": submitted.demand.id, "service_notice": notice, "account_id": None}]


def db_of(request: Request):
    return request.app.state.db


def _request_view(demand: Demand, scope, names: dict[str, str], due: datetime | None) -> dict:
    sees = sees_personal_data(scope, demand.area_path, owner_subject=demand.resident_subject)
    closed = demand.state in CLOSED
    lat = demand.latitude if sees else mask_coordinate(demand.latitude)
    lon = demand.longitude if sees else mask_coordinate(demand.longitude)
    return {
        "service_request_id": demand.id, "status": "closed" if closed else "open",
        "status_notes": demand.state.value.replace("_", " "),
        "service_name": names.get(demand.category, demand.category), "service_code": demand.category,
        "description": demand.description if sees else scrub(demand.description, names=[demand.resident.name]),
        "agency_responsible": demand.assignee or f"{demand.handling_level} {demand.handling_area_code}",
        "service_notice": None, "requested_datetime": _iso(demand.submitted_at),
        "updated_datetime": _iso(demand.updated_at or demand.submitted_at),
        "expected_datetime": None if closed else _iso(due),
        "address": demand.address if sees else mask_address(demand.address), "address_id": demand.area_code,
        "zipcode": None, "lat": lat, "long": lon, "media_url": None,
    }


def _list_param(params, name: str) -> list[str]:
    """An Open311 list: comma-separated (repeating the parameter adds to it), at most
    `MAX_QUERY_LIST_ITEMS` values, each kept once. Thousands of repeated codes took 15 s before."""
    values = [v for raw in params.getlist(name) for v in raw.split(",") if v]
    if len(values) > MAX_QUERY_LIST_ITEMS:
        raise Open311Error(400, f"{name} takes at most {MAX_QUERY_LIST_ITEMS} values (comma separated); "
                                f"{len(values)} were sent.")
    return unique_values(values)


def _date(params, name: str) -> datetime | None:
    value = params.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a w3 date-time (e.g. 2026-01-01T00:00:00Z).") from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} needs a timezone (Z or an offset).")
    return parsed


async def _views(request: Request, scope, demands: list[Demand]) -> list[dict]:
    from demand_intake.store.deadlines import DeadlineRepository

    names = service_categories()
    out = []
    async with db_of(request).sessions() as session:
        clocks = DeadlineRepository(session)
        for d in demands:
            due = next((c.due_at for c in await clocks.of(d.id) if c.kind.value == "resolve"), None)
            out.append(_request_view(d, scope, names, due))
    return out


@router.get("/requests.{fmt}", summary="Open311: service requests in your area (default: the last 90 days)")
@guarded("service_requests")
async def list_requests(request: Request, clock: ClockDep, fmt: str):
    scope = await _scope(request)
    params = request.query_params
    ids = _list_param(params, "service_request_id") or None
    given_codes = _list_param(params, "service_code")
    # A code outside the catalogue names no demand (submissions accept only known ones): not looked up.
    codes = [c for c in given_codes if c in service_categories()]
    statuses = set(_list_param(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status is open, closed or both (comma separated).")
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if ids is None and start is None:
        start = clock.now() - timedelta(days=90)
    states = None
    if statuses == {"open"}:
        states = [s.value for s in State if s not in CLOSED]
    elif statuses == {"closed"}:
        states = [s.value for s in CLOSED]
    if given_codes and not codes:
        return []
    found: list[Demand] = []
    for code in codes or [None]:
        found += await use_cases.list_demands(db_of(request), scope, under=None, mine=scope.caller.role == Role.RESIDENT,
                                              limit=MAX_RESULTS, state=states, category=code, ids=ids,
                                              submitted_from=start, submitted_to=end)
    found.sort(key=lambda d: (d.submitted_at, d.id), reverse=True)
    return await _views(request, scope, found[:MAX_RESULTS])


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: one service request")
@guarded("service_requests")
async def get_request(request: Request, service_request_id: str, fmt: str):
    scope = await _scope(request)
    if len(service_request_id) > 36:
        raise Open311Error(404, f"No service request '{service_request_id}'.")
    demand = await use_cases.get(db_of(request), scope, service_request_id)
    return await _views(request, scope, [demand])


# GeoReport v2 lets a client send `api_key`, `jurisdiction_id` and its own extensions: the facade reads the
# parameters it knows and leaves the rest, as the standard expects (the platform's own API refuses them).
for _route in router.routes:
    _route.openapi_extra = {**(_route.openapi_extra or {}), OPEN_QUERY: True}
