"""`ETag` on reads and `If-Match` on every PATCH/PUT: a stale write is 412 `precondition-failed`.

The ETag is a strong validator of the representation a client was shown: `"<sha256 of its canonical
JSON>"` (the first 32 hex digits). Any write that changes what the GET answers changes it; a write that
changes nothing keeps it. It needs no column: every resource already has a GET representation.

A route takes `write: ConditionalWriteDep` instead of `db: DatabaseDep`, and
1. `await write.check(<the GET's use case on write.database>, <the GET's rendering>)`;
2. runs its use case on `write.database`, and answers `await write.commit(response, updated)`.
`write.database` stands in for the `Database`: every unit of work the two use cases open is ONE transaction,
which first takes the resource's write lock (SQLite: the database's write lock; PostgreSQL: a
transaction-scoped advisory lock on the resource's path). So the comparison sees the current state and
no other conditional writer of the resource can change it before this one commits: of two writers
holding the same ETag, one passes and the other gets 412.

A request without `If-Match` is still accepted (last writer wins, as before): requiring it (428) would
break every client written so far. `If-Match: *` matches any current representation; weak tags
(`W/"..."`) never match, as RFC 9110 requires of `If-Match`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy import false, func, select

from yizhou.database import Database, UnitOfWork
from yizhou.errors import ApplicationError
from yizhou.idempotent_writes import _HeldDatabase
from yizhou.messaging_tables import outbox

Representation = TypeVar("Representation", bound=BaseModel)

IF_MATCH_DESCRIPTION = ("The `ETag` of the representation this change is based on (from the GET or the last "
                        "write). If the resource changed since, the write is refused with 412 "
                        "`precondition-failed`; without the header the write is applied (last writer wins).")
PRECONDITION = {412: {"description": "`If-Match` names a representation that is no longer current "
                                     "(`precondition-failed`): GET it again and reapply the change"}}


class PreconditionFailed(ApplicationError):
    kind = "precondition-failed"


def etag_of(representation: BaseModel | dict[str, Any] | None) -> str:
    """The strong ETag of what a GET answers: a hash of its canonical JSON."""
    data = representation.model_dump(mode="json") if isinstance(representation, BaseModel) else representation
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def matches(if_match: str | None, current: str | None) -> bool:
    """RFC 9110 13.1.1 with strong comparison; `current` None means the resource has no representation."""
    if if_match is None:
        return True
    tags = [tag.strip() for tag in if_match.split(",") if tag.strip()]
    if tags == ["*"]:
        return current is not None
    return current is not None and current in tags


def tagged(response: Response, representation: Representation) -> Representation:
    """What a GET (or a write) answers, with its `ETag`."""
    response.headers["ETag"] = etag_of(representation)
    return representation


class ConditionalWrite:
    """One PATCH/PUT: its `If-Match`, and the one transaction its read, comparison and write share."""

    def __init__(self, db: Database, lock_key: str, if_match: str | None) -> None:
        self.db = db
        self.lock_key = lock_key
        self.if_match = if_match
        self.work: UnitOfWork | None = None
        self.committed = False
        # What the use cases get: idempotent_writes' stand-in, whose units of work all share `self.work`.
        self.database: Database = _HeldDatabase(self)  # type: ignore[arg-type,assignment]

    async def open(self) -> None:
        if self.work is not None:
            return
        work = await self.db.unit_of_work().__aenter__()
        self.work = work
        if self.db.is_postgres:
            await work.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(self.lock_key, 0))))
        else:
            # A write (of nothing) takes SQLite's write lock now, before the read: a second writer waits
            # here (busy_timeout) and then reads what the first committed.
            await work.session.execute(outbox.delete().where(false()))

    async def check(self, loading: Awaitable[Any], represent: Callable[[Any], BaseModel] | None = None) -> None:
        """Refuses the write unless `If-Match` names the current representation: `loading` (the GET's
        use case on `self.database`, not yet awaited) through `represent` (the GET's rendering). Without
        If-Match nothing is loaded, so such a write behaves exactly as it did before ETags."""
        if self.if_match is None:
            if inspect.iscoroutine(loading):
                loading.close()  # never started: no read, no "never awaited" warning
            return
        await self.open()
        loaded = await loading
        current = None if loaded is None else represent(loaded) if represent else loaded
        tag = etag_of(current) if current is not None else None
        if not matches(self.if_match, tag):
            raise PreconditionFailed("The resource changed since you read it; GET it again and reapply your change.",
                                     current_etag=tag)

    async def commit(self, response: Response, representation: Representation | None = None) -> Representation | None:
        """Commits what the use case committed; the answer carries the new ETag."""
        if self.work is not None and self.committed:
            await self.work.commit()
        await self.close()
        if representation is not None:
            tagged(response, representation)
        return representation

    async def close(self) -> None:
        if self.work is not None:
            work, self.work = self.work, None
            await work.__aexit__(None, None, None)  # rolls back unless committed


async def conditional_write(request: Request,
                            if_match: Annotated[str | None, Header(alias="If-Match", max_length=2000,
                                                                   description=IF_MATCH_DESCRIPTION)] = None,
                            ) -> AsyncIterator[ConditionalWrite]:
    write = ConditionalWrite(request.app.state.db, request.url.path, if_match)
    try:
        yield write
    finally:
        await write.close()


# scope="function": the transaction (and its lock) ends when the route returns, not after the answer is sent
ConditionalWriteDep = Annotated[ConditionalWrite, Depends(conditional_write, scope="function")]
