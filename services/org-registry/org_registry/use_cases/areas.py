"""Creating, renaming, moving and retiring areas, scoped to the caller and published as events."""

from __future__ import annotations

from datetime import UTC, datetime

from org_registry.domain import area as rules
from org_registry.domain.area import Area
from org_registry.domain.errors import AxisRuleViolation
from org_registry.store.areas import AreaRepository
from org_registry.use_cases import errors as _kinds  # noqa: F401  (registers wrong-level, move-cycle, ...)
from yizhou.auth import AXIS_EDITORS, AreaScope, Role, require_role
from yizhou.axis_events import AreaCreated, AreaKind, AreaMoved, AreaRetired, AreaUpdated, Level, axis_partition_key
from yizhou.database import Database, UnitOfWork
from yizhou.events import EventData
from yizhou.errors import ApplicationError, Duplicate, Forbidden, NotFound, OutOfScope, UnknownReference, from_rule

SOURCE = "/yizhou/org-registry"



def _as_problem(exc: AxisRuleViolation) -> ApplicationError:
    return from_rule(exc)


def _require_editor(scope: AreaScope) -> None:
    require_role(scope, AXIS_EDITORS, "change the axis")


async def _visible(repo: AreaRepository, scope: AreaScope, code: str) -> Area:
    area = await repo.get(code)
    # Outside the scope answers like unknown, so other areas' existence is not disclosed.
    if area is None or not scope.covers(area.path):
        raise NotFound(f"No area '{code}' in your scope.")
    return area


async def _editable(repo: AreaRepository, scope: AreaScope, code: str) -> Area:
    """Editors change areas strictly below their own; their own area belongs to the level above."""
    area = await _visible(repo, scope, code)
    if not scope.covers_strictly(area.path):
        raise OutOfScope(f"Area '{code}' is your own area; it is changed from the level above.")
    return area


def _record(uow: UnitOfWork, event: EventData, path: str, code: str) -> None:
    uow.record(event, aggregate_id=axis_partition_key(path), subject=code, source=SOURCE)


async def create_area(db: Database, scope: AreaScope | None, *, code: str, name: str, level: Level,
                      parent_code: str | None, bootstrap_role: Role | None = None,
                      kind: AreaKind | None = None) -> Area:
    """`scope` is None only when a district admin creates the district named in their token."""
    if scope is not None:
        _require_editor(scope)
    try:
        name = rules.normalize_name(name)
    except AxisRuleViolation as exc:
        raise _as_problem(exc) from None
    async with db.unit_of_work() as uow:
        repo = AreaRepository(uow.session)
        if await repo.get(code) is not None:
            raise Duplicate(f"An area with code '{code}' already exists.")
        parent = None
        if parent_code is not None:
            parent = await repo.get(parent_code)
            if parent is None or (scope is not None and not scope.covers(parent.path)):
                raise UnknownReference(f"No parent area '{parent_code}' in your scope.",
                              errors=[{"field": "parent_code", "message": "unknown area"}])
        elif scope is not None or bootstrap_role != Role.DISTRICT_ADMIN:
            raise Forbidden("Only a district admin creates a district, and only the one in their token.")
        try:
            rules.check_parent(level, parent)
            kind = rules.check_kind(level, kind)
        except AxisRuleViolation as exc:
            raise _as_problem(exc) from None
        area = Area(code=code, name=name, level=level, parent_code=parent_code, path=rules.path_under(parent, code),
                    kind=kind)
        await repo.add(area, datetime.now(UTC))
        _record(uow, AreaCreated(code=code, name=name, level=level, parent_code=parent_code, path=area.path, kind=kind),
                area.path, code)
        await uow.commit()
    return area


async def rename_area(db: Database, scope: AreaScope, code: str, name: str) -> Area:
    _require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = AreaRepository(uow.session)
        area = await _editable(repo, scope, code)
        try:
            new_name = rules.check_rename(area, name)
        except AxisRuleViolation as exc:
            raise _as_problem(exc) from None
        await repo.rename(code, new_name, datetime.now(UTC))
        _record(uow, AreaUpdated(code=code, name=new_name, path=area.path), area.path, code)
        await uow.commit()
    return Area(**{**area.__dict__, "name": new_name})


async def move_area(db: Database, scope: AreaScope, code: str, new_parent_code: str) -> Area:
    _require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = AreaRepository(uow.session)
        area = await _editable(repo, scope, code)
        new_parent = await repo.get(new_parent_code)
        if new_parent is None or not scope.covers(new_parent.path):
            raise UnknownReference(f"No area '{new_parent_code}' in your scope.",
                          errors=[{"field": "new_parent_code", "message": "unknown area"}])
        try:
            new_path = rules.check_move(area, new_parent)
        except AxisRuleViolation as exc:
            raise _as_problem(exc) from None
        await repo.move(area, new_parent_code, new_path, datetime.now(UTC))
        _record(uow, AreaMoved(code=code, old_parent_code=area.parent_code or "", new_parent_code=new_parent_code,
                               old_path=area.path, new_path=new_path), new_path, code)
        await uow.commit()
    return Area(**{**area.__dict__, "parent_code": new_parent_code, "path": new_path})


async def retire_area(db: Database, scope: AreaScope, code: str) -> Area:
    _require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = AreaRepository(uow.session)
        area = await _editable(repo, scope, code)
        try:
            rules.check_retire(area, await repo.count_active_children(code))
        except AxisRuleViolation as exc:
            raise _as_problem(exc) from None
        now = datetime.now(UTC)
        await repo.retire(code, now)
        _record(uow, AreaRetired(code=code, path=area.path, retired_at=now), area.path, code)
        await uow.commit()
    return Area(**{**area.__dict__, "retired_at": now})


async def get_area(db: Database, scope: AreaScope, code: str) -> Area:
    async with db.sessions() as session:
        return await _visible(AreaRepository(session), scope, code)


async def ancestors(db: Database, scope: AreaScope, code: str) -> list[Area]:
    async with db.sessions() as session:
        repo = AreaRepository(session)
        area = await _visible(repo, scope, code)
        return await repo.by_codes(area.ancestor_codes)


async def list_areas(db: Database, scope: AreaScope, *, under: str | None, level: Level | None, parent_code: str | None,
                     include_retired: bool, after: str | None, limit: int) -> list[Area]:
    async with db.sessions() as session:
        repo = AreaRepository(session)
        under_path = scope.path if under is None else (await _visible(repo, scope, under)).path
        return await repo.list(under_path=under_path, level=level, parent_code=parent_code,
                               include_retired=include_retired, after=after, limit=limit)
