"""/api/v1/organizations: party organizations, their reporting tree, their units; setup modes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from org_registry.api.parameters import After, Limit, Search, Under, changes_of
from org_registry.api.registry_schemas import (
    ID_PATTERN,
    Dissolution,
    EvaluationOut,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    SetupModeOut,
)
from org_registry.api.responses import PROBLEMS
from org_registry.domain.organization import SETUP_MODES, OrganizationKind, SetupMode
from org_registry.store.keyset import encode_cursor
from org_registry.store.organizations import OrganizationView
from org_registry.use_cases import organizations as use_cases
from org_registry.use_cases.evaluations import list_evaluations
from yizhou.auth import AreaScope
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.personal_data import mask_name, sees_personal_data

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/organizations", tags=["organizations"])
OrganizationId = Annotated[str, Path(pattern=ID_PATTERN)]


def organization_out(view: OrganizationView, scope: AreaScope) -> OrganizationOut:
    o = view.organization
    secretary = view.secretary_name
    if secretary and not sees_personal_data(scope, view.area_path, owner_subject=o.secretary_member_id):
        secretary = mask_name(secretary)
    return OrganizationOut(id=o.id, name=o.name, kind=o.kind, setup_mode=o.setup_mode,
                           setup_mode_name=SETUP_MODES[o.setup_mode].english, area_code=o.area_code,
                           area_path=view.area_path, parent_organization_id=o.parent_id,
                           covered_unit_ids=list(o.covered_unit_ids), secretary_member_id=o.secretary_member_id,
                           secretary_name=secretary, member_count=view.member_count, founded_on=o.founded_on,
                           dissolved_on=o.dissolved_on, dissolved=o.dissolved)


def page(views: list[OrganizationView], scope: AreaScope, limit: int) -> Page[OrganizationOut]:
    return page_of([organization_out(v, scope) for v in views], limit, lambda o: encode_cursor(o.name, o.id))


@router.get("/setup-modes", response_model=list[SetupModeOut], responses=PROBLEMS,
            summary="The setup modes of party organizations: the twelve \"two new\" ways (seed 000, with the district's 2008 "
                    "counts), the own organizations of agencies, state enterprises and public institutions, and the "
                    "leading organizations of the axis's areas")
async def setup_modes(scope: ScopeDep) -> list[SetupModeOut]:
    return [SetupModeOut(code=i.mode, english=i.english, chinese=i.chinese, seed_count=i.seed_count,
                         group=i.group.value)
            for i in SETUP_MODES.values()]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganizationOut, responses=PROBLEMS,
             summary="Set up a party organization (a joint one covers at least two units)")
async def create_organization(body: OrganizationIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> OrganizationOut:
    view = await use_cases.create_organization(
        db, scope, organization_id=body.id, name=body.name, kind=body.kind, setup_mode=body.setup_mode,
        area_code=body.area_code, parent_id=body.parent_organization_id, covered_unit_ids=body.covered_unit_ids,
        founded_on=body.founded_on)
    response.headers["Location"] = f"/api/v1/organizations/{view.organization.id}"
    return organization_out(view, scope)


@router.get("", response_model=Page[OrganizationOut], responses=PROBLEMS,
            summary="Organizations located in your area, by name (filters: subtree, kind, setup mode, parent, covered unit; q: name)")
async def list_organizations(db: DatabaseDep, scope: ScopeDep, under: Under = None, kind: OrganizationKind | None = None,
                             setup_mode: SetupMode | None = None,
                             parent_organization_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                             covers_unit_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                             include_dissolved: bool = False, q: Search = None, after: After = None,
                             limit: Limit = 100) -> Page[OrganizationOut]:
    views = await use_cases.list_organizations(db, scope, under=under, kind=kind, setup_mode=setup_mode,
                                               parent_id=parent_organization_id, covers_unit_id=covers_unit_id,
                                               include_dissolved=include_dissolved, q=q, after=after, limit=limit + 1)
    return page(views, scope, limit)


@router.get("/{organization_id}", response_model=OrganizationOut, responses=PROBLEMS, summary="One organization")
async def get_organization(organization_id: OrganizationId, db: DatabaseDep, scope: ScopeDep,
                           response: Response) -> OrganizationOut:
    return tagged(response, organization_out(await use_cases.get_organization(db, scope, organization_id), scope))


@router.get("/{organization_id}/children", response_model=Page[OrganizationOut], responses=PROBLEMS,
            summary="Subordinate organizations in your area: direct ones, or the whole subtree with `descendants=true`")
async def children(organization_id: OrganizationId, db: DatabaseDep, scope: ScopeDep, descendants: bool = False,
                   include_dissolved: bool = False, after: After = None, limit: Limit = 100) -> Page[OrganizationOut]:
    views = await use_cases.children(db, scope, organization_id, descendants=descendants, after=after,
                                     limit=limit + 1, include_dissolved=include_dissolved)
    return page(views, scope, limit)


@router.get("/{organization_id}/ancestors", response_model=list[OrganizationOut], responses=PROBLEMS,
            summary="The reporting line from the top down to the parent")
async def ancestors(organization_id: OrganizationId, db: DatabaseDep, scope: ScopeDep) -> list[OrganizationOut]:
    return [organization_out(v, scope) for v in await use_cases.ancestors(db, scope, organization_id)]


@router.patch("/{organization_id}", response_model=OrganizationOut, responses=PROBLEMS | PRECONDITION,
              summary="Change an organization: name, kind, location, parent (re-parents its subtree), units, secretary")
async def update_organization(organization_id: OrganizationId, body: OrganizationPatch, write: ConditionalWriteDep,
                              scope: ScopeDep, response: Response) -> OrganizationOut:
    changes = changes_of(body, nullable={"parent_organization_id", "secretary_member_id"},
                         renames={"parent_organization_id": "parent_id"})
    await write.check(use_cases.get_organization(write.database, scope, organization_id),
                      lambda view: organization_out(view, scope))
    updated = await use_cases.update_organization(write.database, scope, organization_id, changes)
    return await write.commit(response, organization_out(updated, scope))


@router.post("/{organization_id}/dissolve", response_model=OrganizationOut, responses=PROBLEMS,
             summary="Dissolve an organization with no active subordinates; it takes no new members afterwards")
async def dissolve(organization_id: OrganizationId, body: Dissolution, db: IdempotentDatabaseDep, scope: ScopeDep) -> OrganizationOut:
    return organization_out(await use_cases.dissolve_organization(db, scope, organization_id, body.dissolved_on), scope)


@router.get("/{organization_id}/evaluations", response_model=Page[EvaluationOut], responses=PROBLEMS,
            summary="Dual-evaluation results of the organization's units and members (from dual-registration), newest period first")
async def evaluations(organization_id: OrganizationId, db: DatabaseDep, scope: ScopeDep,
                      period: Annotated[str | None, Query(pattern=r"^\d{4}(-Q[1-4])?$")] = None,
                      subject_kind: Literal["unit", "member"] | None = None,
                      rating: Literal["excellent", "good", "fair", "poor"] | None = None,
                      after: After = None, limit: Limit = 100) -> Page[EvaluationOut]:
    rows = await list_evaluations(db, scope, organization_id, period=period, subject_kind=subject_kind, rating=rating,
                                  after=after, limit=limit + 1)
    items = [EvaluationOut(evaluation_id=r.evaluation_id, subject_kind=r.subject_kind, subject_id=r.subject_id,
                           community_code=r.community_code, period=r.period, score=r.score, rating=r.rating,
                           published_at=r.published_at) for r in rows]
    return page_of(items, limit, lambda e: encode_cursor(e.period, e.evaluation_id))
