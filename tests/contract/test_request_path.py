"""What every request of every service runs stays on the event loop: no endpoint and no dependency
is a plain function, which FastAPI would run in its thread pool (a thread hand-off and back per
request: a few per cent of a demand submit, and more under load as the threads fight for the GIL)."""

from __future__ import annotations

import inspect

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import service_app




def _runs_on_the_loop(call) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    # A dependency object (HTTPBearer, a Header model) runs its __call__.
    method = getattr(type(call), "__call__", None) if not inspect.isfunction(call) else None
    return method is not None and (inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method))


def _thread_pool_calls(dependant: Dependant, seen: set[int]) -> list[str]:
    found = []
    for sub in dependant.dependencies:
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        if sub.call is not None and not _runs_on_the_loop(sub.call):
            found.append(getattr(sub.call, "__qualname__", repr(sub.call)))
        found += _thread_pool_calls(sub, seen)
    return found


def _api_routes(routes) -> list[APIRoute]:
    """Every endpoint, through included routers (FastAPI keeps those as routes of their own)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            found += _api_routes(route.routes)
    return found


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_no_endpoint_or_dependency_runs_in_the_thread_pool(service, make_settings):
    create_app, settings_class = service_app(service)
    app = create_app(make_settings(settings_class))
    offenders: dict[str, list[str]] = {}
    routes = _api_routes(app.routes)
    assert len(routes) > 10, "the service's routes were not found"
    for route in routes:
        calls = _thread_pool_calls(route.dependant, set())
        if not _runs_on_the_loop(route.endpoint):
            calls.append(f"endpoint {route.endpoint.__qualname__}")
        if calls:
            offenders[f"{sorted(route.methods)} {route.path}"] = calls
    assert not offenders, offenders
