"""/api/v1/members: party members; personal data unmasked only for the staff who own the record
(and for the member themself: a `party_member` token whose subject is the member id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from org_registry.api.parameters import After, Limit, Search, Under, changes_of
from org_registry.api.registry_schemas import ID_PATTERN, Leaving, MemberIn, MemberOut, MemberPatch
from org_registry.api.responses import PROBLEMS
from org_registry.store.keyset import encode_cursor
from org_registry.store.members import MemberView
from org_registry.use_cases import members as use_cases
from yizhou.auth import AreaScope
from yizhou.axis_events import CODE_PATTERN
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.personal_data import mask_id_number, mask_name, mask_phone, sees_personal_data

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/members", tags=["members"])
MemberId = Annotated[str, Path(pattern=ID_PATTERN)]


def member_out(view: MemberView, scope: AreaScope) -> MemberOut:
    m = view.member
    full = sees_personal_data(scope, view.record_path, owner_subject=m.id)
    return MemberOut(id=m.id, personal_data="full" if full else "masked",
                     name=m.name if full else mask_name(m.name), phone=m.phone if full else mask_phone(m.phone),
                     id_number=m.id_number if full else mask_id_number(m.id_number),
                     organization_id=m.organization_id, work_unit_id=m.work_unit_id,
                     residence_area_code=m.residence_area_code, residence_area_path=view.residence_path,
                     skills=list(m.skills), in_service=m.in_service, joined_on=m.joined_on, left_on=m.left_on,
                     state="left" if m.left else "active")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MemberOut, responses=PROBLEMS,
             summary="Register a member with an active organization in your area")
async def create_member(body: MemberIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> MemberOut:
    values = body.model_dump(exclude={"id"})
    view = await use_cases.create_member(db, scope, member_id=body.id, **values)
    response.headers["Location"] = f"/api/v1/members/{view.member.id}"
    return member_out(view, scope)


@router.get("", response_model=Page[MemberOut], responses=PROBLEMS,
            summary="Members of organizations in your area (filters: organization, work unit, residence subtree, "
                    "skill, in service; q: skills, or name/phone for staff)")
async def list_members(db: DatabaseDep, scope: ScopeDep, under: Under = None,
                       organization_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                       work_unit_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                       residence_under: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                       skill: Annotated[str | None, Query(max_length=50)] = None, in_service: bool | None = None,
                       include_left: bool = False, q: Search = None, after: After = None,
                       limit: Limit = 100) -> Page[MemberOut]:
    views = await use_cases.list_members(db, scope, under=under, organization_id=organization_id,
                                         work_unit_id=work_unit_id, residence_under=residence_under, skill=skill,
                                         in_service=in_service, include_left=include_left, q=q, after=after,
                                         limit=limit + 1)
    return page_of([member_out(v, scope) for v in views], limit, lambda m: encode_cursor(m.id))


@router.get("/{member_id}", response_model=MemberOut, responses=PROBLEMS, summary="One member")
async def get_member(member_id: MemberId, db: DatabaseDep, scope: ScopeDep, response: Response) -> MemberOut:
    return tagged(response, member_out(await use_cases.get_member(db, scope, member_id), scope))


@router.patch("/{member_id}", response_model=MemberOut, responses=PROBLEMS | PRECONDITION,
              summary="Change a member (a new organization_id is a transfer; a dissolved organization refuses it)")
async def update_member(member_id: MemberId, body: MemberPatch, write: ConditionalWriteDep, scope: ScopeDep,
                        response: Response) -> MemberOut:
    changes = changes_of(body, nullable={"phone", "work_unit_id"})
    await write.check(use_cases.get_member(write.database, scope, member_id), lambda view: member_out(view, scope))
    return await write.commit(response, member_out(await use_cases.update_member(write.database, scope, member_id,
                                                                                 changes), scope))


@router.post("/{member_id}/leave", response_model=MemberOut, responses=PROBLEMS,
             summary="Record that a member left (transferred out of the district, died, expelled); the record closes")
async def leave(member_id: MemberId, body: Leaving, db: IdempotentDatabaseDep, scope: ScopeDep) -> MemberOut:
    return member_out(await use_cases.leave(db, scope, member_id, body.left_on), scope)
