"""A service's read copy of the area axis, built only from org-registry's area events.

demand-intake, project-matching and dual-registration each keep one in their own database
(no shared tables) and scope callers with it. Its HTTP face is `yizhou.axis_copy_routes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, MetaData, String, Table, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.columns import UtcDateTime
from yizhou.axis_events import AREAS_TOPIC, AreaCreated, AreaMoved, AreaRetired, AreaUpdated
from yizhou.consumer import Subscription
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


async def on_created(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaCreated.model_validate(event.data)
    values = {"name": data.name, "level": data.level.value, "parent_code": data.parent_code, "path": data.path,
              "retired": False, "updated_at": datetime.now(UTC)}
    if await path_of(session, data.code) is None:
        await session.execute(area_copy.insert().values(code=data.code, **values))
    else:
        await session.execute(update(area_copy).where(area_copy.c.code == data.code).values(**values))


async def on_updated(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaUpdated.model_validate(event.data)
    await session.execute(update(area_copy).where(area_copy.c.code == data.code)
                          .values(name=data.name, updated_at=datetime.now(UTC)))


async def on_moved(session: AsyncSession, event: ReceivedEvent) -> None:
    data = AreaMoved.model_validate(event.data)
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
    await session.execute(update(area_copy).where(area_copy.c.code == data.code)
                          .values(retired=True, updated_at=datetime.now(UTC)))


AXIS_COPY_SUBSCRIPTIONS = [
    Subscription(AREAS_TOPIC, AreaCreated.event_type, on_created),
    Subscription(AREAS_TOPIC, AreaUpdated.event_type, on_updated),
    Subscription(AREAS_TOPIC, AreaMoved.event_type, on_moved),
    Subscription(AREAS_TOPIC, AreaRetired.event_type, on_retired),
]
