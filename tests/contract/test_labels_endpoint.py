"""Chinese first (issue 21, "Chinese labels and messages"): every service answers `GET /api/v1/labels`
without a token, in Chinese unless `Accept-Language` prefers English, and speaks the reader's language
in the `title` (and fixed `detail`) of its problem answers, with `Content-Language`; `type` never changes."""

from __future__ import annotations

import pytest

from yizhou_platform.testing import serve, service_app

SERVICES = ["org-registry", "demand-intake", "project-matching", "dual-registration"]
# What each service answers besides the shared enums (and not another service's).
OWN_ENUM = {"org-registry": "setup_mode", "demand-intake": "deadline_kind", "project-matching": "booking_state",
            "dual-registration": "claim_state"}


@pytest.fixture(scope="module", params=SERVICES)
async def client(request, make_settings):
    create_app, settings_cls = service_app(request.param)
    async with serve(create_app(make_settings(settings_cls, process_role="api"))) as client:
        client.service = request.param
        yield client


async def test_labels_need_no_token_and_are_chinese_by_default(client):
    answer = await client.get("/api/v1/labels")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-language"] == "zh-CN"
    assert "accept-language" in answer.headers["vary"].lower()
    labels = answer.json()
    assert labels["demand_state"]["in_progress"] == "办理中"
    assert labels["category"]["elderly_care"] == "居家养老"
    assert labels["role"]["grid_worker"] == "网格员"
    assert labels["area_kind"]["village"] == "村"
    assert set(labels[OWN_ENUM[client.service]].values()) and all(
        label.isascii() is False for label in labels[OWN_ENUM[client.service]].values())
    assert {OWN_ENUM[other] for other in SERVICES if other != client.service}.isdisjoint(labels)


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9,zh-CN;q=0.8", "fr, en-GB;q=0.5"])
async def test_labels_are_english_when_the_reader_prefers_it(client, header):
    answer = await client.get("/api/v1/labels", headers={"Accept-Language": header})
    assert answer.status_code == 200
    assert answer.headers["content-language"] == "en"
    assert answer.json()["demand_state"]["in_progress"] == "In progress"
    assert answer.json()["category"]["elderly_care"] == "Home-based elderly care"


@pytest.mark.parametrize("header", ["zh", "zh-TW", "de, *", "en;q=0, zh-CN;q=0.4", "q=;;,,;q=abc", "x" * 300])
async def test_other_headers_answer_chinese_and_never_fail(client, header):
    answer = await client.get("/api/v1/labels", headers={"Accept-Language": header})
    assert answer.status_code == 200
    assert answer.headers["content-language"] == "zh-CN"


async def test_a_404_problem_is_chinese_by_default_and_english_on_request(client):
    chinese = await client.get("/api/v1/no-such-thing")
    assert chinese.status_code == 404
    assert chinese.headers["content-type"].startswith("application/problem+json")
    assert chinese.headers["content-language"] == "zh-CN"
    assert chinese.json()["type"] == "urn:yizhou:problem:not-found"
    assert chinese.json()["title"] == "资源不存在"
    assert chinese.json()["detail"] == "未找到"   # Starlette's fixed "Not Found"

    english = await client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert english.headers["content-language"] == "en"
    assert english.json()["type"] == "urn:yizhou:problem:not-found"
    assert (english.json()["title"], english.json()["detail"]) == ("No such resource", "Not Found")


async def test_a_dynamic_detail_stays_as_written_with_the_title_translated(client):
    # A parameter the operation does not take: the detail names it (dynamic), the title is the catalogue's.
    answer = await client.get("/api/v1/labels", params={"langauge": "en"})
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["type"] == "urn:yizhou:problem:unknown-parameter"
    assert problem["title"] == "请求包含此操作不接受的查询参数"
    assert "langauge" in problem["detail"]
    assert answer.headers["content-language"] == "zh-CN"


async def test_the_district_language_setting_sets_the_default(make_settings):
    create_app, settings_cls = service_app("project-matching")
    async with serve(create_app(make_settings(settings_cls, process_role="api", district_language="en"))) as client:
        english = await client.get("/api/v1/labels")
        assert english.headers["content-language"] == "en"
        assert english.json()["project_state"]["in_review"] == "In review"
        chinese = await client.get("/api/v1/labels", headers={"Accept-Language": "zh-CN"})
        assert chinese.json()["project_state"]["in_review"] == "评审中"
        problem = await client.get("/api/v1/resources")   # no token
        assert problem.status_code == 401
        assert problem.json()["title"] == "A valid bearer token is required"


async def test_the_labels_operation_is_documented(client):
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/labels"]["get"]
    service = "".join(w if i == 0 else w.capitalize() for i, w in enumerate(client.service.split("-")))
    assert operation["operationId"] == f"{service}.labels.list"
    assert "200" in operation["responses"] and "security" not in operation


async def test_a_refusal_before_the_body_is_read_speaks_the_readers_language(client):
    # The body limit refuses in a middleware, before the body is read; the headers are, so the reader's language.
    big = b"x" * ((1 << 20) + 1)
    answer = await client.post("/api/v1/labels", content=big, headers={"Accept-Language": "en"})
    assert answer.status_code == 413
    assert answer.json()["type"] == "urn:yizhou:problem:payload-too-large"
    assert answer.headers["content-language"] == "en" and answer.json()["title"] != "请求内容过大"
    chinese = await client.post("/api/v1/labels", content=big)
    assert (chinese.json()["title"], chinese.headers["content-language"]) == ("请求内容过大", "zh-CN")
