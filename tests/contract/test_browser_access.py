"""What a browser app on another origin meets (issue 20, "One origin"): CORS for the configured origins
only, gzip that leaves streamed exports whole, `WWW-Authenticate` on 401, Swagger UI and ReDoc from
the service itself (no CDN), and the CLI finding `make run`'s broker or saying clearly that none answers."""

from __future__ import annotations

import re

import httpx
import pydantic
import pytest
from typer.testing import CliRunner

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou.browser_access import ALLOWED_HEADERS, EXPOSED_HEADERS
from yizhou_platform.cli import app as cli
from yizhou_platform.launcher import LOCAL_CORS_ORIGINS, write_bootstrap
from yizhou_platform.testing import serve

PAGE = "http://localhost:3000"
PREFLIGHT = {"Origin": PAGE, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-match, x-request-id"}


@pytest.fixture(scope="module")
async def client(make_settings):
    async with serve(create_app(make_settings(Settings, cors_allow_origins=LOCAL_CORS_ORIGINS))) as client:
        yield client


@pytest.fixture
async def district(client, auth, unique_code):
    code = unique_code("B")
    admin = auth("district_admin", code)
    created = await client.post("/api/v1/areas", json={"code": code, "name": "Browser District", "level": "district"},
                                headers=admin)
    assert created.status_code == 201, created.text
    return code, admin


def _names(header: str) -> set[str]:
    return {h.strip().lower() for h in header.split(",")}


async def test_a_preflight_from_an_allowed_origin_gets_200_with_the_headers(client):
    answer = await client.options("/api/v1/units", headers=PREFLIGHT)
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == PAGE
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert _names(answer.headers["access-control-allow-headers"]) >= {h.lower() for h in ALLOWED_HEADERS} >= {
        "authorization", "content-type", "idempotency-key", "if-match", "x-request-id"}


async def test_a_preflight_from_another_origin_gets_no_allow_origin_and_a_problem(client):
    answer = await client.options("/api/v1/units", headers={**PREFLIGHT, "Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in answer.headers
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "urn:yizhou:problem:cors-refused"


async def test_answers_to_an_allowed_origin_expose_the_headers_a_page_reads(client, district):
    _, admin = district
    answer = await client.get("/api/v1/areas", headers={**admin, "Origin": PAGE})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == PAGE
    exposed = _names(answer.headers["access-control-expose-headers"])
    assert exposed >= {h.lower() for h in EXPOSED_HEADERS} >= {"etag", "retry-after", "x-request-id", "location"}
    other = await client.get("/api/v1/areas", headers={**admin, "Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_without_cors_allow_origins_no_cors_header_is_sent(make_settings):
    app = create_app(make_settings(Settings))   # the default: empty
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as plain:
        answer = await plain.options("/api/v1/units", headers=PREFLIGHT)
    assert not any(name.startswith("access-control-") for name in answer.headers)


@pytest.mark.parametrize("origins", ["localhost:3000", "http://localhost:3000/", "http://localhost:3000/app"])
def test_a_mistyped_origin_stops_the_service_from_starting(make_settings, origins):
    with pytest.raises(pydantic.ValidationError, match="CORS_ALLOW_ORIGINS"):
        make_settings(Settings, cors_allow_origins=origins)


async def test_401_says_how_to_authenticate(client):
    missing = await client.get("/api/v1/areas")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="yizhou"'
    bad = await client.get("/api/v1/areas", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == 'Bearer realm="yizhou", error="invalid_token"'
    assert bad.headers["content-type"].startswith("application/problem+json")
    refused = await client.get("/api/v1/areas", headers={"Authorization": "Bearer x", "Origin": PAGE})
    assert refused.headers["access-control-allow-origin"] == PAGE   # the page can read why it was refused


async def test_large_answers_are_gzipped_small_ones_not(client):
    document = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert document.headers["content-encoding"] == "gzip" and "accept-encoding" in document.headers["vary"].lower()
    assert document.json()["openapi"].startswith("3.")   # decoded by the client
    health = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in health.headers


async def test_a_streamed_csv_export_arrives_whole_through_gzip(client, district):
    code, admin = district
    for n in range(25):
        unit = {"name": f"Unit {n:02d} of a long enough name", "kind": "non_public_enterprise", "size_class": "large",
                "area_code": code, "headcount": 100 + n, "members_among_staff": 1}
        assert (await client.post("/api/v1/units", json=unit, headers=admin)).status_code == 201
    plain = await client.get("/api/v1/exports/units", headers={**admin, "Accept-Encoding": "identity"})
    zipped = await client.get("/api/v1/exports/units", headers={**admin, "Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content and plain.content.count(b"\n") == 26
    workbook = await client.get("/api/v1/exports/units", params={"format": "xlsx"},
                                headers={**admin, "Accept-Encoding": "gzip"})
    assert workbook.status_code == 200 and "content-encoding" not in workbook.headers   # a zip already


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_everything_from_the_service_itself(client, page):
    html = (await client.get(page)).text
    hosts = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert not hosts, hosts   # no CDN, no fonts, no public validator: it works on an intranet
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:   # relative, so the page works behind the gateway's /<service>/ prefix too
        assert not asset.startswith("/")
        served = await client.get(httpx.URL(f"http://service{page}").join(asset))
        assert served.status_code == 200, asset
    script = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert b"SwaggerUIBundle" in script.content
    assert "openapi.json" in html


def test_the_cli_finds_the_broker_make_run_started(tmp_path, monkeypatch, kafka_bootstrap):
    # Set then deleted: monkeypatch restores the variable the CLI sets from the file.
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "unused")
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS")
    monkeypatch.setenv("YIZHOU_DATA_DIR", str(tmp_path))
    write_bootstrap(tmp_path, kafka_bootstrap)
    result = CliRunner().invoke(cli, ["dead-letters", "list", "yizhou.areas.v1"])
    assert result.exit_code == 0, result.output
    assert "yizhou.areas.v1.dlq" in result.output


@pytest.mark.parametrize("command", [["rebuild", "org-registry"], ["demand-intake", "rates", "rebuild"]])
def test_the_cli_says_clearly_when_no_broker_answers(tmp_path, monkeypatch, command):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "unused")
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS")
    monkeypatch.setenv("YIZHOU_DATA_DIR", str(tmp_path))
    write_bootstrap(tmp_path, "127.0.0.1:1")   # a crashed run's file: nothing listens there
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)   # no traceback
    assert "No Kafka broker answers at 127.0.0.1:1" in result.output
    assert "kafka-bootstrap" in result.output
