"""Coordination bodies and consultation platforms: set up, member units joining and leaving, the chair
rotating, the regional committees' part-time members, representatives of party, government and public."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from org_registry.domain import coordination as rules
from org_registry.domain.coordination import BodyKind, CoordinationBody, LineOfWork, Seat, Sector
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.member import normalize_name, normalize_phone
from org_registry.domain.organization import normalize_text
from org_registry.store.areas import AreaRepository
from org_registry.store.coordination import BodyView, CoordinationRepository, PlatformView
from org_registry.store.keyset import BadCursor
from org_registry.store.members import MemberRepository
from org_registry.store.units import UnitRepository
from org_registry.use_cases.access import bad_cursor, new_id, require_editor, rule_problem, unknown
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.database import Database
from yizhou.errors import NotFound, RuleViolated


def _checked(check, field: str | None = None):
    try:
        return check()
    except RegistryRuleViolation as exc:
        raise rule_problem(exc, field) from None


async def _member_units_in(session, scope: AreaScope, area_path: str, unit_ids: list[str], field: str) -> None:
    """Member units sit in the body's area and inside the caller's."""
    paths = await UnitRepository(session).paths(unit_ids)
    for unit_id in unit_ids:
        path = paths.get(unit_id)
        if path is None or not scope.covers(path):
            raise unknown(field, "unit", unit_id)
        if not path.startswith(area_path):
            raise RuleViolated(f"Unit '{unit_id}' is not located in the body's area.",
                          errors=[{"field": field, "message": "outside the body's area"}])


async def create_body(db: Database, scope: AreaScope, *, kind: BodyKind, name: str, area_code: str,
                      member_unit_ids: list[str], term_months: int, starts_on: date) -> BodyView:
    require_editor(scope)
    name = _checked(lambda: normalize_text(name, "A body's name"), "name")
    order = tuple(dict.fromkeys(member_unit_ids))
    async with db.unit_of_work() as uow:
        area = await AreaRepository(uow.session).get(area_code)
        if area is None or not scope.covers(area.path) or area.retired:
            raise unknown("area_code", "area", area_code)
        _checked(lambda: rules.check_level(kind, area.level), "kind")
        await _member_units_in(uow.session, scope, area.path, list(order), "member_unit_ids")
        body = CoordinationBody(id=new_id("b"), kind=kind, name=name, area_code=area_code, member_unit_ids=order,
                                chair_unit_id=order[0] if order else None, chair_since=starts_on if order else None,
                                term_months=term_months)
        repo = CoordinationRepository(uow.session)
        await repo.add_body(body, datetime.now(UTC))
        await uow.commit()
    return BodyView(body, area.path)


async def _change_body(db: Database, scope: AreaScope, body_id: str, change, unit_to_check: str | None = None) -> BodyView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = CoordinationRepository(uow.session)
        view = await _visible_body(repo, scope, body_id)
        if unit_to_check is not None:
            await _member_units_in(uow.session, scope, view.area_path, [unit_to_check], "unit_id")
        body = _checked(lambda: change(view.body))
        await repo.save_body(body, datetime.now(UTC))
        await uow.commit()
    return BodyView(body, view.area_path)


async def add_member_unit(db: Database, scope: AreaScope, body_id: str, unit_id: str, on: date) -> BodyView:
    return await _change_body(db, scope, body_id, lambda b: rules.add_unit(b, unit_id, on), unit_to_check=unit_id)


async def remove_member_unit(db: Database, scope: AreaScope, body_id: str, unit_id: str, on: date) -> BodyView:
    return await _change_body(db, scope, body_id, lambda b: rules.remove_unit(b, unit_id, on))


async def rotate_chair(db: Database, scope: AreaScope, body_id: str, on: date) -> BodyView:
    return await _change_body(db, scope, body_id, lambda b: rules.rotate(b, on))


async def _visible_body(repo: CoordinationRepository, scope: AreaScope, body_id: str) -> BodyView:
    view = await repo.get_body(body_id)
    if view is None or not scope.covers(view.area_path):
        raise NotFound(f"No coordination body '{body_id}' in your scope.")
    return view


async def get_body(db: Database, scope: AreaScope, body_id: str) -> BodyView:
    async with db.sessions() as session:
        return await _visible_body(CoordinationRepository(session), scope, body_id)


async def list_bodies(db: Database, scope: AreaScope, *, under: str | None, limit: int, **filters: Any) -> list[BodyView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        try:
            return await CoordinationRepository(session).list_bodies(under_path=path, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def create_platform(db: Database, scope: AreaScope, *, name: str, area_code: str, topics: list[str]) -> PlatformView:
    require_editor(scope)
    name = _checked(lambda: normalize_text(name, "A platform's name"), "name")
    async with db.unit_of_work() as uow:
        area = await AreaRepository(uow.session).get(area_code)
        if area is None or not scope.covers(area.path) or area.retired:
            raise unknown("area_code", "area", area_code)
        platform_id = new_id("p")
        repo = CoordinationRepository(uow.session)
        await repo.add_platform({"id": platform_id, "name": name, "area_code": area_code,
                                 "topics": [" ".join(t.split()) for t in topics if t.strip()]}, datetime.now(UTC))
        view = await repo.get_platform(platform_id)
        await uow.commit()
    return view


async def _visible_platform(repo: CoordinationRepository, scope: AreaScope, platform_id: str) -> PlatformView:
    view = await repo.get_platform(platform_id)
    if view is None or not scope.covers(view.area_path):
        raise NotFound(f"No consultation platform '{platform_id}' in your scope.")
    return view


async def add_representative(db: Database, scope: AreaScope, platform_id: str, *, sector: Sector, name: str,
                             phone: str | None, unit_id: str | None, member_id: str | None) -> PlatformView:
    require_editor(scope)
    name = _checked(lambda: normalize_name(name), "name")
    phone = _checked(lambda: normalize_phone(phone), "phone")
    async with db.unit_of_work() as uow:
        repo = CoordinationRepository(uow.session)
        await _visible_platform(repo, scope, platform_id)
        if unit_id is not None:
            path = (await UnitRepository(uow.session).paths([unit_id])).get(unit_id)
            if path is None or not scope.covers(path):
                raise unknown("unit_id", "unit", unit_id)
        if member_id is not None:
            member = await MemberRepository(uow.session).get(member_id)
            if member is None or not scope.covers(member.record_path):
                raise unknown("member_id", "member", member_id)
        await repo.add_representative({"id": new_id("r"), "platform_id": platform_id, "sector": sector.value,
                                       "name": name, "phone": phone, "unit_id": unit_id, "member_id": member_id},
                                      datetime.now(UTC))
        view = await repo.get_platform(platform_id)
        await uow.commit()
    return view


async def remove_representative(db: Database, scope: AreaScope, platform_id: str, representative_id: str) -> PlatformView:
    require_editor(scope)
    async with db.unit_of_work() as uow:
        repo = CoordinationRepository(uow.session)
        await _visible_platform(repo, scope, platform_id)
        if not await repo.remove_representative(platform_id, representative_id):
            raise NotFound(f"No representative '{representative_id}' on this platform.")
        view = await repo.get_platform(platform_id)
        await uow.commit()
    return view


async def get_platform(db: Database, scope: AreaScope, platform_id: str) -> PlatformView:
    async with db.sessions() as session:
        return await _visible_platform(CoordinationRepository(session), scope, platform_id)


async def list_platforms(db: Database, scope: AreaScope, *, under: str | None, limit: int,
                         **filters: Any) -> list[PlatformView]:
    async with db.sessions() as session:
        path = await under_path(session, scope, under)
        try:
            return await CoordinationRepository(session).list_platforms(under_path=path, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def add_part_time_member(db: Database, scope: AreaScope, body_id: str, *, name: str, phone: str | None,
                               home_unit_id: str, seat: Seat, line_of_work: LineOfWork, term_from: date,
                               term_to: date) -> dict[str, Any]:
    """A person from a unit in the committee's area takes a seat for a term, on one line of the "1+3"."""
    require_editor(scope)
    name = _checked(lambda: normalize_name(name), "name")
    phone = _checked(lambda: normalize_phone(phone), "phone")
    _checked(lambda: rules.check_term(term_from, term_to), "term_to")
    async with db.unit_of_work() as uow:
        repo = CoordinationRepository(uow.session)
        view = await _visible_body(repo, scope, body_id)
        _checked(lambda: rules.check_takes_part_time_members(view.body.kind))
        path = (await UnitRepository(uow.session).paths([home_unit_id])).get(home_unit_id)
        if path is None or not scope.covers(path) or not path.startswith(view.area_path):
            raise unknown("home_unit_id", "unit in the committee's area", home_unit_id)
        member = {"id": new_id("ptm"), "body_id": body_id, "name": name, "phone": phone, "home_unit_id": home_unit_id,
                  "seat": seat.value, "line_of_work": line_of_work.value, "term_from": term_from, "term_to": term_to}
        await repo.add_part_time_member(member, datetime.now(UTC))
        await uow.commit()
    return member


async def part_time_members(db: Database, scope: AreaScope, body_id: str) -> tuple[BodyView, list[dict[str, Any]]]:
    async with db.sessions() as session:
        repo = CoordinationRepository(session)
        view = await _visible_body(repo, scope, body_id)
        return view, await repo.part_time_members(body_id)
