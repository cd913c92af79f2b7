"""Appointing party-building instructors, assigning them units without an organization, logging their visits,
and the units ready for a branch; `instructor.*` events (no name, phone or visit summary on the bus)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from org_registry.domain import instructor as rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.instructor import Instructor
from org_registry.domain.member import normalize_name, normalize_phone
from org_registry.events import InstructorAppointed, InstructorAssigned, InstructorUnassigned, InstructorVisited
from org_registry.store.areas import AreaRepository
from org_registry.store.instructors import InstructorRepository, InstructorView, prospective_branches
from org_registry.store.units import UnitRepository
from org_registry.use_cases.access import area_path_in_scope, new_id, require_editor, rule_problem, unknown
from org_registry.use_cases.publishing import record
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope, require_role
from yizhou.database import Database, UnitOfWork
from yizhou.errors import NotFound
from yizhou.personal_data import STAFF_ROLES


def _checked(check, field: str | None = None):
    try:
        return check()
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, field) from None


def _require_staff(scope: AreaScope) -> None:
    # Instructors are people (name, phone) and their visits free text: the registry's staff read them.
    require_role(scope, STAFF_ROLES, "read instructors")


async def _visible(repo: InstructorRepository, scope: AreaScope, instructor_id: str,
                   for_update: bool = False) -> InstructorView:
    view = await repo.get(instructor_id, for_update=for_update)
    if view is None or not scope.covers(view.area_path):
        raise NotFound(f"No instructor '{instructor_id}' in your scope.")
    return view


async def appoint(db: Database, scope: AreaScope, *, name: str, phone: str | None, home_unit_id: str | None,
                  area_code: str, appointed_on: date) -> InstructorView:
    require_editor(scope)
    name = _checked(lambda: normalize_name(name), "name")
    phone = _checked(lambda: normalize_phone(phone), "phone")
    async with db.unit_of_work() as uow:
        area_path = await area_path_in_scope(AreaRepository(uow.session), scope, area_code)
        if home_unit_id is not None and await UnitRepository(uow.session).get(home_unit_id) is None:
            raise unknown("home_unit_id", "unit", home_unit_id)  # the unit sending them may sit anywhere
        repo = InstructorRepository(uow.session)
        instructor = Instructor(id=new_id("i"), name=name, phone=phone, home_unit_id=home_unit_id,
                                area_code=area_code, appointed_on=appointed_on)
        now = datetime.now(UTC)
        await repo.add(instructor, now)
        record(uow, InstructorAppointed(instructor_id=instructor.id, area_code=area_code, area_path=area_path,
                                        home_unit_id=home_unit_id, appointed_on=appointed_on, occurred_at=now),
               instructor.id)
        await uow.commit()
    return await get_instructor(db, scope, instructor.id)


async def assign_units(db: Database, scope: AreaScope, instructor_id: str, unit_ids: list[str],
                       on: date) -> InstructorView:
    """Units in the instructor's area and the caller's scope, without an organization of their own."""
    require_editor(scope)
    distinct = list(dict.fromkeys(unit_ids))
    async with db.unit_of_work() as uow:
        repo = InstructorRepository(uow.session)
        view = await _visible(repo, scope, instructor_id, for_update=True)
        _checked(lambda: rules.check_active(view.instructor))
        for unit in await _units_in(uow, scope, view, distinct):
            _checked(lambda u=unit: rules.check_guidable(u.unit.id, u.has_own_organization), "unit_ids")
        now = datetime.now(UTC)
        for unit_id in await repo.assign(instructor_id, distinct, on):
            record(uow, InstructorAssigned(instructor_id=instructor_id, area_code=view.instructor.area_code,
                                           area_path=view.area_path, unit_id=unit_id, assigned_on=on, occurred_at=now),
                   instructor_id)
        await uow.commit()
    return await get_instructor(db, scope, instructor_id)


async def _units_in(uow: UnitOfWork, scope: AreaScope, view: InstructorView, unit_ids: list[str]):
    found = {u.unit.id: u for u in await UnitRepository(uow.session).views_of(unit_ids)}
    for unit_id in unit_ids:
        unit = found.get(unit_id)
        if unit is None or not scope.covers(unit.area_path) or not unit.area_path.startswith(view.area_path):
            raise unknown("unit_ids", "unit in the instructor's area", unit_id)
    return [found[u] for u in unit_ids]


async def unassign_unit(db: Database, scope: AreaScope, instructor_id: str, unit_id: str) -> InstructorView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = InstructorRepository(uow.session)
        view = await _visible(repo, scope, instructor_id, for_update=True)
        if not await repo.unassign(instructor_id, unit_id):
            raise NotFound(f"Instructor '{instructor_id}' does not guide unit '{unit_id}'.")
        record(uow, InstructorUnassigned(instructor_id=instructor_id, area_code=view.instructor.area_code,
                                         area_path=view.area_path, unit_id=unit_id, occurred_at=datetime.now(UTC)),
               instructor_id)
        await uow.commit()
    return await get_instructor(db, scope, instructor_id)


async def log_visit(db: Database, scope: AreaScope, instructor_id: str, *, unit_id: str, visited_on: date,
                    summary: str, members_found: int) -> dict[str, Any]:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = InstructorRepository(uow.session)
        view = await _visible(repo, scope, instructor_id, for_update=True)
        _checked(lambda: rules.check_visit(view.instructor, visited_on, datetime.now(UTC).date(), members_found))
        if unit_id not in view.unit_ids:
            raise unknown("unit_id", "unit this instructor guides", unit_id)
        now = datetime.now(UTC)
        visit = {"id": new_id("v"), "instructor_id": instructor_id, "unit_id": unit_id, "visited_on": visited_on,
                 "summary": " ".join(summary.split()), "members_found": members_found, "created_at": now}
        await repo.add_visit(visit)
        record(uow, InstructorVisited(instructor_id=instructor_id, area_code=view.instructor.area_code,
                                      area_path=view.area_path, visit_id=visit["id"], unit_id=unit_id,
                                      visited_on=visited_on, members_found=members_found, occurred_at=now),
               instructor_id)
        await uow.commit()
    return visit


async def get_instructor(db: Database, scope: AreaScope, instructor_id: str) -> InstructorView:
    _require_staff(scope)
    async with db.sessions() as session:
        return await _visible(InstructorRepository(session), scope, instructor_id)


async def list_instructors(db: Database, scope: AreaScope, *, under: str | None, after: str | None,
                           limit: int) -> list[InstructorView]:
    _require_staff(scope)
    async with db.sessions() as session:
        return await InstructorRepository(session).list(under_path=await under_path(session, scope, under),
                                                        after=after, limit=limit)


async def list_visits(db: Database, scope: AreaScope, instructor_id: str, *, after: str | None,
                      limit: int) -> list[dict[str, Any]]:
    _require_staff(scope)
    async with db.sessions() as session:
        repo = InstructorRepository(session)
        await _visible(repo, scope, instructor_id)
        return await repo.visits(instructor_id, after=after, limit=limit)


async def list_prospective_branches(db: Database, scope: AreaScope, *, under: str | None, after: str | None,
                                    limit: int) -> list[dict[str, Any]]:
    _require_staff(scope)
    async with db.sessions() as session:
        return await prospective_branches(session, await under_path(session, scope, under), after=after, limit=limit)
