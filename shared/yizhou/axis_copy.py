"""A service's read copy of the area axis, built only from org-registry's area events.

demand-intake, project-matching and dual-registration each keep one in their own database
(no shared tables) and scope callers with it. Its HTTP face is `yizhou.axis_copy_routes`.

Callers are scoped by these paths, so the handlers take no event on trust (the consumer has already
refused any not from org-registry's source; a source can be forged, or a publisher be wrong). An event
is refused (`UnprocessableEvent`: dead-lettered, the copy unchanged) when it does not fit the axis:

- a path names the area's ancestors from the district down and then the area, one code a level
  (a district's is `/<code>/`, a grid's has four codes); its parent is the code before its own;
- `area.created` for a code the copy has is the same fact again (a no-op: renames and retirement since
  stand) or refused, never an overwrite: an area changes place only by `area.moved`;
- an area under a parent the copy has lies at the parent's path plus its own code;
- `area.moved` starts from where the copy has the area, keeps its level and its district, and ends at
  the new parent's path plus its code; `area.updated` and `area.retired` name the path the copy has.

A parent unknown to the copy is no reason to refuse. Area events of a district share one key (the
district's code, `axis_partition_key`), so they reach a copy in the order org-registry recorded them,
and a parent is always created before its children; but order can still break: a dead-lettered
`area.created` re-driven after its children, or two outbox relay replicas (`FOR UPDATE SKIP LOCKED`)
sending neighbouring batches at once. A child then arrives first and is taken on its path's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, MetaData, String, Table, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.axis_events import AREAS_TOPIC, CODE_PATTERN, AreaCreated, AreaMoved, AreaRetired, AreaUpdated, Level
from yizhou.columns import UtcDateTime
from yizhou.consumer import Subscription, UnprocessableEvent
from yizhou.envelope import ReceivedEvent

axis_copy_metadata = MetaData()

area_copy = Table(
    "area_copy",
    axis_copy_metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(32), nullable=True),
    Column("path", String(400), nullable=False, index=True),
    Column("retired", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class AreaInfo:
    """One area of the read copy, as use cases check it (place, scope, retirement)."""

    code: str
    level: str
    path: str
    parent_code: str | None
    retired: bool


_AREA = select(area_copy).where(area_copy.c.code == bindparam("code"))  # built once: every submit reads one


async def area_info(session: AsyncSession, code: str) -> AreaInfo | None:
    row = (await session.execute(_AREA, {"code": code})).first()
    return None if row is None else AreaInfo(row.code, row.level, row.path, row.parent_code, row.retired)


async def path_of(session: AsyncSession, code: str) -> str | None:
    return (await session.execute(select(area_copy.c.path).where(area_copy.c.code == code))).scalar_one_or_none()


async def paths_of(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """The current paths of the areas among `codes` the copy knows (one query for a batch)."""
    if not codes:
        return {}
    rows = await session.execute(select(area_copy.c.code, area_copy.c.path).where(area_copy.c.code.in_(codes)))
    return {code: path for code, path in rows}


async def all_paths(session: AsyncSession) -> dict[str, str]:
    """Every area's current path by code (a district has a few thousand areas)."""
    return {code: path for code, path in await session.execute(select(area_copy.c.code, area_copy.c.path))}


# --- what an area event must fit ----------------------------------------------------------------

DEPTH = {Level.DISTRICT: 1, Level.SUBDISTRICT: 2, Level.COMMUNITY: 3, Level.GRID: 4}
_CODE = re.compile(CODE_PATTERN)


def path_codes(path: str) -> list[str] | None:
    """The codes of a materialized path (`/CY/CY01/` -> ["CY", "CY01"]); None if it is not one."""
    if len(path) < 3 or path[0] != "/" or path[-1] != "/":
        return None
    codes = path[1:-1].split("/")
    return codes if all(_CODE.fullmatch(code) for code in codes) else None


def check_place(code: str, level: Level, parent_code: str | None, path: str) -> None:
    """The path names the area's ancestors from the district down, then the area: one code a level,
    its parent's code just before its own (a district: `/<code>/`, no parent)."""
    codes = path_codes(path)
    if codes is None:
        raise UnprocessableEvent(f"area {code}: {path!r} is not a path of area codes")
    if len(codes) != DEPTH[level]:
        raise UnprocessableEvent(f"area {code}: a {level.value} lies {DEPTH[level]} level(s) down the axis, but "
                                 f"its path {path} has {len(codes)} code(s)")
    if codes[-1] != code:
        raise UnprocessableEvent(f"area {code}: its path {path} does not end in its own code")
    above = codes[-2] if len(codes) > 1 else None
    if parent_code != above:
        raise UnprocessableEvent(f"area {code}: its path {path} puts it under {above or 'nothing (a district)'}, "
                                 f"not under its parent {parent_code}")


def check_move(data: AreaMoved) -> None:
    """A move takes an area (never a district) from under its old parent to under its new one, at the
    same level and within its district: no scope reaches across districts (a district admin's is one
    district), and a district's area events share one partition key, which a move must keep."""
    old, new = path_codes(data.old_path), path_codes(data.new_path)
    move = f"area.moved of {data.code} ({data.old_path} -> {data.new_path})"
    if old is None or new is None:
        raise UnprocessableEvent(f"{move}: not paths of area codes")
    if len(old) < 2:
        raise UnprocessableEvent(f"{move}: a district does not move")
    if old[-1] != data.code or new[-1] != data.code:
        raise UnprocessableEvent(f"{move}: the paths do not both end in its code")
    if len(new) != len(old):
        raise UnprocessableEvent(f"{move}: a move keeps an area's level")
    if old[-2] != data.old_parent_code or new[-2] != data.new_parent_code:
        raise UnprocessableEvent(f"{move}: the paths do not go from under {data.old_parent_code} to under "
                                 f"{data.new_parent_code}")
    if new[0] != old[0]:
        raise UnprocessableEvent(f"{move}: an area moves within its district")
    if new == old:
        raise UnprocessableEvent(f"{move}: it moves nowhere")


async def _known_at(session: AsyncSession, code: str, path: str, event_type: str) -> AreaInfo | None:
    """The copy's area `code` (None if the copy does not have it), refusing an event that says it is
    somewhere else than the copy has it."""
    known = await area_info(session, code)
    if known is not None and known.path != path:
        raise UnprocessableEvent(f"{event_type} of area {code} at {path}, but this copy has it at {known.path}")
    return known


# --- the handlers --------------------------------------------------------------------------------

async def on_created(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaCreated.model_validate(event.data)
    check_place(data.code, data.level, data.parent_code, data.path)
    known = await area_info(session, data.code)
    if known is not None:
        if (known.path, known.parent_code, known.level) != (data.path, data.parent_code, data.level.value):
            raise UnprocessableEvent(
                f"area {data.code} is already in this copy, a {known.level} at {known.path}: area.created for it "
                f"as a {data.level.value} at {data.path} is refused, not an overwrite (an area changes place only "
                f"by area.moved)")
        return  # the same fact again: the copy has it, with the renames and retirement since
    if data.parent_code is not None:
        parent = await area_info(session, data.parent_code)
        if parent is not None and data.path != f"{parent.path}{data.code}/":
            raise UnprocessableEvent(f"area {data.code}: its path {data.path} is not its parent {parent.code}'s path "
                                     f"{parent.path} plus its code")
    await session.execute(area_copy.insert().values(
        code=data.code, name=data.name, level=data.level.value, parent_code=data.parent_code, path=data.path,
        retired=False, updated_at=datetime.now(UTC)))


async def on_updated(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaUpdated.model_validate(event.data)
    await _known_at(session, data.code, data.path, AreaUpdated.event_type)
    await session.execute(update(area_copy).where(area_copy.c.code == data.code)
                          .values(name=data.name, updated_at=datetime.now(UTC)))


async def on_moved(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaMoved.model_validate(event.data)
    check_move(data)
    await _known_at(session, data.code, data.old_path, AreaMoved.event_type)
    new_parent = await area_info(session, data.new_parent_code)
    if new_parent is not None and data.new_path != f"{new_parent.path}{data.code}/":
        raise UnprocessableEvent(f"area.moved of {data.code} to {data.new_path}, but its new parent {new_parent.code} "
                                 f"is at {new_parent.path} in this copy")
    # Rewrite the prefix of the moved area and of everything under it.
    await session.execute(
        update(area_copy)
        .where(area_copy.c.path.startswith(data.old_path, autoescape=True))
        .values(path=literal(data.new_path, String).concat(func.substr(area_copy.c.path, len(data.old_path) + 1, type_=String)),
                updated_at=datetime.now(UTC))
    )
    await session.execute(update(area_copy).where(area_copy.c.code == data.code).values(parent_code=data.new_parent_code))


def area_path_columns(*metadatas) -> list:
    """Every column of these tables that holds an area path: by the platform's naming rule, those named
    `path` or `..._path` (area_path, community_path, serves_path, residence_path, ...)."""
    return [column for metadata in metadatas for table in metadata.sorted_tables if table is not area_copy
            for column in table.columns if column.name == "path" or column.name.endswith("_path")]


async def rewrite_paths(session: AsyncSession, columns: list, old_path: str, new_path: str) -> None:
    """Every path under `old_path` in these columns now starts with `new_path` instead."""
    for column in columns:
        await session.execute(
            update(column.table).where(column.startswith(old_path, autoescape=True))
            .values({column.name: literal(new_path, String).concat(func.substr(column, len(old_path) + 1, type_=String))})
            .execution_options(synchronize_session=False))


class FollowMoves:
    """The `area.moved` handler of a service that keeps paths in tables of its own: the axis copy, then
    those columns, in one transaction, so the service's records stay in their (moved) subtree."""

    def __init__(self, columns: list) -> None:
        self.columns = columns

    async def __call__(self, session: AsyncSession, event: ReceivedEvent) -> None:
        await on_moved(session, event)
        data = AreaMoved.model_validate(event.data)
        await rewrite_paths(session, self.columns, data.old_path, data.new_path)


def axis_subscriptions(*metadatas) -> list[Subscription]:
    """The axis copy's subscriptions, with moves also followed in every area path column of `metadatas`."""
    follow = FollowMoves(area_path_columns(*metadatas))
    return [Subscription(s.topic, s.event_type, follow) if s.event_type == AreaMoved.event_type else s
            for s in AXIS_COPY_SUBSCRIPTIONS]


async def on_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaRetired.model_validate(event.data)
    await _known_at(session, data.code, data.path, AreaRetired.event_type)
    await session.execute(update(area_copy).where(area_copy.c.code == data.code)
                          .values(retired=True, updated_at=datetime.now(UTC)))


AXIS_COPY_SUBSCRIPTIONS = [
    Subscription(AREAS_TOPIC, AreaCreated.event_type, on_created),
    Subscription(AREAS_TOPIC, AreaUpdated.event_type, on_updated),
    Subscription(AREAS_TOPIC, AreaMoved.event_type, on_moved),
    Subscription(AREAS_TOPIC, AreaRetired.event_type, on_retired),
]
