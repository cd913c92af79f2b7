"""yizhou.idempotent_writes on a small app of its own (the services' API tests cover the real POSTs):
what the use case committed is committed with the key row, what it did not commit is not, an answer
that cannot be stored still commits, and a use case that fails leaves nothing behind."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import Column, MetaData, String, Table, func, select

from yizhou.auth import TokenVerifier, mint_token
from yizhou.database import Database
from yizhou.idempotency import idempotency_keys, idempotency_metadata
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.problems import Problem, install_problem_handlers

SECRET = "a-secret-for-this-test-only-0123456789"
things_metadata = MetaData()
things = Table("things", things_metadata, Column("id", String(36), primary_key=True), Column("name", String(50)))


def make_app(db: Database) -> FastAPI:
    router = APIRouter(route_class=IdempotentRoute)

    async def add(db, name: str, commit: bool = True) -> str:
        thing_id = str(uuid.uuid4())
        async with db.unit_of_work() as uow:
            await uow.session.execute(things.insert().values(id=thing_id, name=name))
            if name == "refused":
                raise Problem("validation", "refused after writing")
            if commit:
                await uow.commit()
        if commit:
            async with db.sessions() as session:  # a read after the write sees it
                seen = await session.execute(select(things.c.name).where(things.c.id == thing_id))
                assert seen.scalar_one() == name
        return thing_id

    @router.post("/things", status_code=201)
    async def create(body: dict, db: IdempotentDatabaseDep) -> dict:
        return {"id": await add(db, body["name"])}

    @router.post("/things/text", status_code=201)
    async def create_text(body: dict, db: IdempotentDatabaseDep) -> PlainTextResponse:
        return PlainTextResponse(await add(db, body["name"]), status_code=201)

    @router.post("/things/dry-run")
    async def dry_run(body: dict, db: IdempotentDatabaseDep) -> dict:
        return {"id": await add(db, body["name"], commit=False)}

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    app.state.db = db
    app.state.tokens = TokenVerifier(secret=SECRET)
    return app


@pytest.fixture
async def setup(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(things_metadata.create_all)
        await conn.run_sync(idempotency_metadata.create_all)
    headers = {"Authorization": f"Bearer {mint_token(SECRET, role='community_worker', area='C1')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app(db)), base_url="http://t") as client:
        yield client, db, headers
    await db.dispose()


async def counts(db) -> tuple[int, int]:
    async with db.sessions() as session:
        return ((await session.execute(select(func.count()).select_from(things))).scalar_one(),
                (await session.execute(select(func.count()).select_from(idempotency_keys))).scalar_one())


async def test_the_record_and_its_key_commit_together(setup):
    client, db, headers = setup
    keyed = {**headers, "Idempotency-Key": "k1"}
    first = await client.post("/things", json={"name": "a"}, headers=keyed)
    again = await client.post("/things", json={"name": "a"}, headers=keyed)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert await counts(db) == (1, 1)
    assert (await client.post("/things", json={"name": "a"}, headers=headers)).status_code == 201  # no key
    assert await counts(db) == (2, 1)


async def test_a_failure_after_writing_leaves_nothing(setup):
    client, db, headers = setup
    refused = await client.post("/things", json={"name": "refused"}, headers={**headers, "Idempotency-Key": "k2"})
    assert refused.status_code == 422
    assert await counts(db) == (0, 0)


async def test_an_answer_that_cannot_be_stored_still_commits(setup):
    client, db, headers = setup
    made = await client.post("/things/text", json={"name": "t"}, headers={**headers, "Idempotency-Key": "k3"})
    assert made.status_code == 201
    assert await counts(db) == (1, 0)


async def test_what_the_use_case_did_not_commit_stays_uncommitted(setup):
    client, db, headers = setup
    keyed = {**headers, "Idempotency-Key": "k4"}
    first = await client.post("/things/dry-run", json={"name": "d"}, headers=keyed)
    assert first.status_code == 200
    assert await counts(db) == (0, 1)
    assert (await client.post("/things/dry-run", json={"name": "d"}, headers=keyed)).json() == first.json()
