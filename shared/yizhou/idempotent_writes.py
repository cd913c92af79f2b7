"""`Idempotency-Key` for every POST of a router, with the use cases left as they are.

A service opts in with two things: its routers use `IdempotentRoute` as `route_class`, and its POST
endpoints take `db: IdempotentDatabaseDep` instead of `DatabaseDep` (that dependency declares the
header, so it shows in the OpenAPI, and refuses an empty key or one over 200 characters with a 422
`validation`, as demand-intake does).

Without a key nothing changes. With a key the request runs as in demand-intake (`yizhou.idempotency`):
- a key already stored for the caller answers with the stored status and body (another body, path or
  query under the same key: 422 `idempotency-key-reused`);
- otherwise every unit of work (and every session) the use case opens shares ONE transaction, whose
  commit is held back until the route has rendered the answer; the key row with that answer is then
  written in the same transaction, so a crash cannot leave the record without its key or the key
  without its record;
- concurrent retries with one key race on the key's primary key (or SQLite's write lock): the losers
  roll back everything they did and answer with the winner's stored answer, so one record is made.
Only 2xx answers are stored; a refused request may be retried with the same key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, Response

from yizhou import idempotency
from yizhou.database import Database, UnitOfWork
from yizhou.dependencies import CallerDep

_SCOPE_KEY = "yizhou.idempotent_write"  # in the ASGI scope: `request.state` may be shared by requests
_ATTEMPTS = 3
KEY_DESCRIPTION = ("A client retry with the same key (and the same body) gets the first answer again and never "
                   "makes a second record; the same key with another body is 422 `idempotency-key-reused`.")
REUSED_DOC = "an Idempotency-Key reused with another body (`idempotency-key-reused`)"


class _Replay(Exception):
    """The key was answered before: the stored answer is the answer."""

    def __init__(self, stored: tuple[int, Any]) -> None:
        super().__init__("replayed")
        self.stored = stored


def _answer(stored: tuple[int, Any]) -> Response:
    status, saved = stored
    headers = {"Location": saved["location"]} if saved.get("location") else None
    if saved.get("body") is None:
        return Response(status_code=status, headers=headers)
    return JSONResponse(saved["body"], status_code=status, headers=headers)


def _storable(response: Response) -> dict[str, Any] | None:
    """A 2xx JSON (or empty) answer as stored with its key; None for anything else (not replayed)."""
    raw = getattr(response, "body", None)
    if not 200 <= response.status_code < 300 or raw is None:
        return None
    try:
        body = json.loads(bytes(raw)) if raw else None
    except ValueError:
        return None
    return {"body": body, "location": response.headers.get("location")}


class _HeldWork:
    """What a use case sees as its unit of work: `commit()` only flushes (so constraint errors surface
    where they always did); the route commits the shared transaction with the key row."""

    def __init__(self, write: HeldWrite) -> None:
        self._write = write

    @property
    def session(self) -> AsyncSession:
        return self._write.work.session

    def record(self, *args: Any, **kwargs: Any) -> None:
        self._write.work.record(*args, **kwargs)

    async def flush(self) -> None:
        await self._write.work.flush()

    async def commit(self) -> None:
        await self._write.work.flush()
        self._write.committed = True


class _Stage:
    """`async with db.unit_of_work()` / `db.sessions()` on the held transaction: leaving it neither
    commits nor closes; the route rolls back on an error and commits with the answer."""

    def __init__(self, enter: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self._enter = enter

    async def __aenter__(self) -> Any:
        return await self._enter()

    async def __aexit__(self, *exc: Any) -> None:
        return None


class _HeldDatabase:
    """Stands in for the service's `Database` during one keyed request."""

    def __init__(self, write: HeldWrite) -> None:
        self._write = write

    def __getattr__(self, name: str) -> Any:  # engine, url, is_postgres, ...
        return getattr(self._write.db, name)

    def unit_of_work(self) -> _Stage:
        return _Stage(self._work)

    def sessions(self) -> _Stage:
        return _Stage(self._session)

    async def _work(self) -> _HeldWork:
        await self._write.open()
        return _HeldWork(self._write)

    async def _session(self) -> AsyncSession:
        await self._write.open()
        return self._write.work.session


class HeldWrite:
    """One keyed request: who asked, with which key and request, and its one transaction."""

    def __init__(self, db: Database, caller: str, key: str, request_hash: str) -> None:
        self.db = db
        self.caller = caller
        self.key = key
        self.request_hash = request_hash
        self.work: UnitOfWork | None = None
        self.committed = False
        self.database = _HeldDatabase(self)

    async def open(self) -> None:
        if self.work is None:
            work = self.db.unit_of_work()
            self.work = await work.__aenter__()

    async def finish(self, response: Response) -> Response:
        """Commits what the use case committed, with the key row when the answer can be stored."""
        saved = _storable(response)
        if self.work is not None and not self.committed:
            await self.close()  # the use case chose not to commit
        if saved is not None:
            await self.open()
            assert self.work is not None
            await idempotency.remember(self.work.session, self.caller, self.key, self.request_hash,
                                       response.status_code, saved)
        if self.work is not None:
            await self.work.commit()
        return response

    async def close(self) -> None:
        if self.work is not None:
            work, self.work = self.work, None
            await work.__aexit__(None, None, None)  # rolls back unless committed

    async def stored(self) -> tuple[int, Any] | None:
        async with self.db.sessions() as session:
            return await idempotency.replayed(session, self.caller, self.key, self.request_hash)


async def _request_hash(request: Request) -> str:
    raw = await request.body()  # cached by the request: the endpoint parsed the same bytes
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    # The path and query belong to the request: one key may not approve project A, then project B.
    return idempotency.request_hash({"method": request.method, "path": request.url.path,
                                     "query": sorted(request.query_params.multi_items()), "body": body})


async def idempotent_database(
        request: Request, caller: CallerDep,
        idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200,
                                                      description=KEY_DESCRIPTION)] = None) -> Database:
    db: Database = request.app.state.db
    if idempotency_key is None:
        return db
    write = HeldWrite(db, f"{caller.subject}|{caller.role.value}", idempotency_key, await _request_hash(request))
    stored = await write.stored()
    if stored is not None:
        raise _Replay(stored)
    request.scope[_SCOPE_KEY] = write
    return write.database  # type: ignore[return-value]  # quacks like a Database for the use cases


IdempotentDatabaseDep = Annotated[Database, Depends(idempotent_database)]


class IdempotentRoute(APIRoute):
    """Route class whose POST handlers replay, hold and store keyed requests (see the module doc)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in {m.upper() for m in kwargs.get("methods") or ()}:
            responses = dict(kwargs.get("responses") or {})
            said = responses.get(422, {}).get("description", "Invalid body")
            if "idempotency-key-reused" not in said:  # routes are rebuilt when a router is included
                responses[422] = {**responses.get(422, {}), "description": f"{said}; or {REUSED_DOC}"}
            kwargs["responses"] = responses
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if "POST" not in self.methods:
            return handler

        async def keyed(request: Request) -> Response:
            for attempt in range(_ATTEMPTS):
                request.scope[_SCOPE_KEY] = None
                try:
                    response = await handler(request)
                    write: HeldWrite | None = request.scope.get(_SCOPE_KEY)
                    if write is None:
                        return response
                    return await write.finish(response)
                except _Replay as replay:
                    return _answer(replay.stored)
                except Exception as exc:
                    write = request.scope.get(_SCOPE_KEY)
                    if write is None:
                        raise
                    await write.close()
                    # A concurrent request with the same key won (its key row, a unique record, or
                    # SQLite's write lock stopped this one): its answer is the answer.
                    stored = await write.stored()
                    if stored is not None:
                        return _answer(stored)
                    if not isinstance(exc, (IntegrityError, OperationalError)) or attempt == _ATTEMPTS - 1:
                        raise
                finally:
                    write = request.scope.get(_SCOPE_KEY)
                    if write is not None:
                        await write.close()
            raise AssertionError("unreachable")

        return keyed
