"""Registering and changing units, scoped to the caller, published as `unit.*` events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.unit import SizeClass, Unit, UnitKind, check_unit
from org_registry.store.areas import AreaRepository
from org_registry.store.keyset import BadCursor
from org_registry.store.units import UnitRepository, UnitView
from org_registry.use_cases.access import area_path_in_scope, bad_cursor, new_id, require_editor, rule_problem
from org_registry.use_cases.publishing import record, unit_event
from yizhou.auth import AreaScope
from yizhou.contracts.units import UnitCreated, UnitUpdated
from yizhou.database import Database
from yizhou.errors import Duplicate, NotFound, NothingToChange


async def visible_unit(repo: UnitRepository, scope: AreaScope, unit_id: str) -> UnitView:
    view = await repo.get(unit_id)
    if view is None or not scope.covers(view.area_path):  # outside answers like unknown: nothing disclosed
        raise NotFound(f"No unit '{unit_id}' in your scope.")
    return view


def _checked(unit: Unit) -> Unit:
    try:
        check_unit(unit.kind, unit.size_class, unit.headcount, unit.members_among_staff)
        name = " ".join(unit.name.split())
        if not name:
            raise RegistryRuleViolation("A unit's name cannot be blank.")
    except RegistryRuleViolation as exc:
        raise rule_problem(exc) from None
    return replace(unit, name=name, credit_code=unit.credit_code.upper() if unit.credit_code else None)


async def create_unit(db: Database, scope: AreaScope, *, name: str, kind: UnitKind, size_class: SizeClass | None,
                      area_code: str, headcount: int, members_among_staff: int, credit_code: str | None = None,
                      unit_id: str | None = None) -> UnitView:
    require_editor(scope)
    unit = _checked(Unit(id=unit_id or new_id("u"), name=name, kind=kind, size_class=size_class, area_code=area_code,
                         headcount=headcount, members_among_staff=members_among_staff, credit_code=credit_code))
    async with db.unit_of_work() as uow:
        repo = UnitRepository(uow.session)
        await area_path_in_scope(AreaRepository(uow.session), scope, area_code)
        if unit_id and await repo.existing_ids([unit_id]):
            raise Duplicate(f"A unit with id '{unit_id}' already exists.")
        if unit.credit_code and await repo.existing_credit_codes([unit.credit_code]):
            raise Duplicate(f"A unit with credit code '{unit.credit_code}' already exists.")
        now = datetime.now(UTC)
        await repo.add_many([unit], now)
        view = await repo.get(unit.id)
        record(uow, unit_event(UnitCreated, view, now), unit.id)
        await uow.commit()
    return view


async def update_unit(db: Database, scope: AreaScope, unit_id: str, changes: dict[str, Any]) -> UnitView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = UnitRepository(uow.session)
        current = await visible_unit(repo, scope, unit_id)
        if not changes:
            raise NothingToChange("The request changes nothing.")
        unit = _checked(replace(current.unit, **changes))
        if unit == current.unit:
            raise NothingToChange(f"Unit '{unit_id}' already has these values.")
        if unit.area_code != current.unit.area_code:
            await area_path_in_scope(AreaRepository(uow.session), scope, unit.area_code)
        if unit.credit_code and unit.credit_code != current.unit.credit_code and \
                await repo.existing_credit_codes([unit.credit_code]):
            raise Duplicate(f"A unit with credit code '{unit.credit_code}' already exists.")
        now = datetime.now(UTC)
        await repo.replace(unit, now)
        view = await repo.get(unit_id)
        record(uow, unit_event(UnitUpdated, view, now), unit_id)
        await uow.commit()
    return view


async def get_unit(db: Database, scope: AreaScope, unit_id: str) -> UnitView:
    async with db.sessions() as session:
        return await visible_unit(UnitRepository(session), scope, unit_id)


async def under_path(session, scope: AreaScope, under: str | None) -> str:
    """The caller's subtree, or the subtree of `under` if it lies inside it (404 otherwise)."""
    if under is None:
        return scope.path
    area = await AreaRepository(session).get(under)
    if area is None or not scope.covers(area.path):
        raise NotFound(f"No area '{under}' in your scope.")
    return area.path


async def list_units(db: Database, scope: AreaScope, *, under: str | None, limit: int, **filters: Any) -> list[UnitView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        try:
            return await UnitRepository(session).list(under_path=path, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None
