"""Queries over party members. A member's record belongs to the area of their organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from org_registry.domain.member import Member
from org_registry.store.keyset import after as after_cursor
from org_registry.store.tables import AreaRow, members, organizations

OrgArea = aliased(AreaRow, name="org_area")
Residence = aliased(AreaRow, name="residence_area")


@dataclass(frozen=True)
class MemberView:
    member: Member
    record_path: str      # the organization's area: staff there own the record
    residence_path: str


def skills_index(skills: tuple[str, ...]) -> str:
    return "|" + "|".join(skills) + "|" if skills else ""


def member_values(m: Member) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "phone": m.phone, "id_number": m.id_number, "organization_id": m.organization_id,
            "work_unit_id": m.work_unit_id, "residence_area_code": m.residence_area_code, "skills": list(m.skills),
            "skills_index": skills_index(m.skills), "in_service": m.in_service, "joined_on": m.joined_on,
            "left_on": m.left_on}


def located():
    return (select(members, OrgArea.path.label("record_path"), Residence.path.label("residence_path"))
            .join(organizations, organizations.c.id == members.c.organization_id)
            .join(OrgArea, OrgArea.code == organizations.c.area_code)
            .join(Residence, Residence.code == members.c.residence_area_code))


def to_view(r: Any) -> MemberView:
    return MemberView(member=Member(
        id=r.id, name=r.name, phone=r.phone, id_number=r.id_number, organization_id=r.organization_id,
        work_unit_id=r.work_unit_id, residence_area_code=r.residence_area_code, skills=tuple(r.skills),
        in_service=r.in_service, joined_on=r.joined_on, left_on=r.left_on),
        record_path=r.record_path, residence_path=r.residence_path)


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: list[Member], now: datetime) -> None:
        if rows:
            await self.session.execute(members.insert(), [{**member_values(m), "created_at": now, "updated_at": now}
                                                          for m in rows])

    async def replace(self, m: Member, now: datetime) -> None:
        values = member_values(m)
        values.pop("id")
        await self.session.execute(update(members).where(members.c.id == m.id).values(**values, updated_at=now))

    async def get(self, member_id: str) -> MemberView | None:
        row = (await self.session.execute(located().where(members.c.id == member_id))).first()
        return to_view(row) if row else None

    async def by_ids(self, ids: list[str]) -> list[MemberView]:
        if not ids:
            return []
        rows = await self.session.execute(located().where(members.c.id.in_(ids)))
        views = {r.id: to_view(r) for r in rows}
        return [views[i] for i in ids if i in views]

    async def existing(self, *, ids: list[str] | None = None, id_numbers: list[str] | None = None) -> set[str]:
        column, values = (members.c.id, ids) if ids is not None else (members.c.id_number, id_numbers or [])
        found: set[str] = set()
        for start in range(0, len(values), 500):
            found |= set((await self.session.execute(select(column).where(column.in_(values[start:start + 500])))).scalars())
        return found

    async def id_number_holders(self, id_numbers: list[str]) -> dict[str, tuple[str, str]]:
        """ID number -> (member id, record path) for those already registered: whether the caller's
        area covers the record decides what a refusal may say about it."""
        query = (select(members.c.id_number, members.c.id, OrgArea.path)
                 .join(organizations, organizations.c.id == members.c.organization_id)
                 .join(OrgArea, OrgArea.code == organizations.c.area_code))
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(id_numbers), 500):
            rows = await self.session.execute(query.where(members.c.id_number.in_(id_numbers[start:start + 500])))
            found |= {number: (member_id, path) for number, member_id, path in rows.all()}
        return found

    async def leave(self, member_id: str, left_on: date, now: datetime) -> None:
        await self.session.execute(update(members).where(members.c.id == member_id).values(left_on=left_on, updated_at=now))

    async def list(self, *, under_path: str, organization_id: str | None = None, work_unit_id: str | None = None,
                   residence_under: str | None = None, skill: str | None = None, in_service: bool | None = None,
                   include_left: bool = False, q: str | None = None, q_personal: bool = False,
                   after: str | None = None, limit: int = 100) -> list[MemberView]:
        query = located().where(OrgArea.path.startswith(under_path, autoescape=True))
        if organization_id is not None:
            query = query.where(members.c.organization_id == organization_id)
        if work_unit_id is not None:
            query = query.where(members.c.work_unit_id == work_unit_id)
        if residence_under is not None:
            query = query.where(Residence.path.startswith(residence_under, autoescape=True))
        if skill:
            query = query.where(members.c.skills_index.contains(f"|{skill.strip().lower()}|", autoescape=True))
        if in_service is not None:
            query = query.where(members.c.in_service.is_(in_service))
        if not include_left:
            query = query.where(members.c.left_on.is_(None))
        if q:
            # Only callers who see personal data may search by it; others search skills (no probing of names).
            matches = [members.c.skills_index.contains(q.strip().lower(), autoescape=True), members.c.id == q]
            if q_personal:
                matches += [members.c.name.icontains(q, autoescape=True), members.c.phone.endswith(q, autoescape=True)]
            query = query.where(or_(*matches))
        keyset = after_cursor([members.c.id], after)
        if keyset is not None:
            query = query.where(keyset)
        rows = await self.session.execute(query.order_by(members.c.id).limit(limit))
        return [to_view(r) for r in rows]
