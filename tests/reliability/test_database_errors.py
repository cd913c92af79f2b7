"""Database errors that mean "the server is not there right now" are a 503 to clients and a retry
to consumers, never a 500 or a dead letter; a value PostgreSQL cannot store (a NUL character, found
by the bad-input suite) is the client's 422. Found by the database failure test: PostgreSQL answers
`57P03 the database system is starting up` for a few seconds after a crash, which asyncpg raises as a
plain DBAPIError (not an OperationalError, connection not invalidated)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from yizhou.consumer import _is_transient
from yizhou.database import database_unavailable
from yizhou.problems import install_problem_handlers


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def db_error(sqlstate: str) -> DBAPIError:
    return DBAPIError("INSERT ...", {}, _DriverError(sqlstate))


@pytest.mark.parametrize("sqlstate", ["57P03", "57P01", "57P02", "08006", "08001", "53300"])
def test_server_down_or_restarting_is_unavailable(sqlstate):
    assert database_unavailable(db_error(sqlstate))
    assert _is_transient(db_error(sqlstate))


@pytest.mark.parametrize("sqlstate", ["23505", "42P01", "22001", ""])
def test_statement_errors_are_not(sqlstate):
    assert not database_unavailable(db_error(sqlstate))
    assert not _is_transient(db_error(sqlstate))


async def test_a_restarting_database_answers_503_problem():
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/write")
    async def write():
        raise db_error("57P03")

    @app.post("/nul")
    async def nul():
        raise db_error("22021")  # PostgreSQL: invalid byte sequence for encoding "UTF8": 0x00

    @app.post("/broken")
    async def broken():
        raise db_error("42P01")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as client:
        response = await client.post("/write")
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "urn:yizhou:problem:unavailable"
        assert response.headers["retry-after"] == "5"
        stored = await client.post("/nul")
        assert stored.status_code == 422 and stored.json()["type"] == "urn:yizhou:problem:validation"
        assert (await client.post("/broken")).status_code == 500  # a real bug stays a 500, logged
