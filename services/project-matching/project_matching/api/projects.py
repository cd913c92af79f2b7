"""/api/v1/projects: understand > design > review > implement > evaluate."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response, status

from project_matching.api.parameters import After, SubtreeCode, Id, Limit
from project_matching.api.responses import PROBLEMS
from project_matching.api.schemas import (AmendmentIn, DecisionIn, DesignIn, EvaluationIn, ProjectIn, ProjectOut,
                                          ReviewIn, SpendIn, fen)
from project_matching.domain.project import PROJECT_MACHINE, Project, State
from project_matching.use_cases import accountability
from project_matching.use_cases import matching as matching_use_cases
from project_matching.use_cases import projects as use_cases
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/projects", tags=["projects"])


def out(p: Project) -> ProjectOut:
    def plain(items):
        return [{k: v for k, v in asdict(i).items()} for i in items]

    lines = [{"line_id": b.line_id, "item": b.item, "amount_yuan": b.amount_fen / 100,
              "funding_source": b.funding_source} for b in p.budget_lines]
    amendments = [{"amount_yuan": a.amount_fen / 100, "reason": a.reason, "at": a.at} for a in p.amendments]
    return ProjectOut(id=p.id, title=p.title, area_code=p.area_code, area_path=p.area_path, category=p.category,
                      state=p.state.value, step=p.step, allowed_next_states=PROJECT_MACHINE.allowed_from(p.state),
                      linked_demand_ids=list(p.linked_demand_ids), origin_meeting_id=p.origin_meeting_id,
                      goals=list(p.goals), beneficiaries_planned=p.beneficiaries_planned, budget_lines=lines,
                      milestones=plain(p.milestones), reviews=plain(p.reviews), decision=p.decision,
                      budget_yuan=p.budget_fen / 100, spent_yuan=p.spent_fen / 100,
                      progress_percent=p.progress_percent, amendments=amendments, evaluation=p.evaluation)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectOut, responses=PROBLEMS,
             summary="Open a project in the understand step")
async def open_project(body: ProjectIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> ProjectOut:
    project = await use_cases.open_project(db, scope, title=body.title, area_code=body.area_code,
                                           category=body.category, linked_demand_ids=body.linked_demand_ids)
    response.headers["Location"] = f"/api/v1/projects/{project.id}"
    return out(project)


@router.get("", response_model=Page[ProjectOut], responses=PROBLEMS, summary="Projects in your area")
async def list_projects(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None, state: State | None = None,
                        category: str | None = None, after: After = None, limit: Limit = 100) -> Page[ProjectOut]:
    found = await use_cases.list_projects(db, scope, area_code=area_code, state=state.value if state else None,
                                          category=category, after=after, limit=limit + 1)
    return page_of([out(p) for p in found], limit, lambda p: p.id)


@router.get("/{project_id}", response_model=ProjectOut, responses=PROBLEMS, summary="One project")
async def get_project(project_id: Id, db: DatabaseDep, scope: ScopeDep, response: Response) -> ProjectOut:
    return tagged(response, out(await use_cases.get(db, scope, project_id)))


@router.put("/{project_id}/design", response_model=ProjectOut, responses=PROBLEMS | PRECONDITION,
            summary="Record or revise the design: goals, linked demands or clusters, beneficiaries, budget, milestones")
async def design(project_id: Id, body: DesignIn, write: ConditionalWriteDep, scope: ScopeDep,
                 response: Response) -> ProjectOut:
    db = write.database
    demand_ids = list(body.linked_demand_ids)
    if body.cluster_ids:
        clusters = {c["cluster_id"]: c for c in await matching_use_cases.clusters(db, scope, None, 1)}
        unknown = [c for c in body.cluster_ids if c not in clusters]
        if unknown:
            raise Problem("unknown-reference", f"No open cluster {', '.join(unknown)} in your area.",
                          errors=[{"field": "cluster_ids", "message": "unknown cluster"}])
        demand_ids += [d for c in body.cluster_ids for d in clusters[c]["demand_ids"]]
    await write.check(use_cases.get(db, scope, project_id), out)
    return await write.commit(response, out(await use_cases.design(db, scope, project_id, {
        "goals": body.goals, "linked_demand_ids": demand_ids, "beneficiaries_planned": body.beneficiaries_planned,
        "budget_lines": [(b.item, fen(b.amount_yuan), b.funding_source) for b in body.budget_lines],
        "milestones": [(m.title, m.weight) for m in body.milestones]})))


@router.post("/{project_id}/submit", response_model=ProjectOut, responses=PROBLEMS, summary="Submit for review")
async def submit(project_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.submit(db, scope, project_id))


@router.post("/{project_id}/reviews", response_model=ProjectOut, responses=PROBLEMS,
             summary="A reviewer scores the project (district or subdistrict admins)")
async def review(project_id: Id, body: ReviewIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.review(db, scope, project_id, body.score, body.comment))


@router.post("/{project_id}/decision", response_model=ProjectOut, responses=PROBLEMS,
             summary="Approve (needs a review) or reject, with reasons")
async def decide(project_id: Id, body: DecisionIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.decide(db, scope, project_id, body.decision == "approve", body.reasons))


@router.post("/{project_id}/start", response_model=ProjectOut, responses=PROBLEMS, summary="Start implementing")
async def start(project_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.start(db, scope, project_id))


@router.post("/{project_id}/milestones/{milestone_id}/complete", response_model=ProjectOut, responses=PROBLEMS,
             summary="Mark a milestone done (progress is the done milestones' share of the weights)")
async def complete_milestone(project_id: Id, milestone_id: Id,
                             db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.complete_milestone(db, scope, project_id, milestone_id))


@router.post("/{project_id}/spending", response_model=ProjectOut, responses=PROBLEMS,
             summary="Record spending; over the budget is refused (409 over-budget) without an amendment")
async def spend(project_id: Id, body: SpendIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.spend(db, scope, project_id, fen(body.amount_yuan), body.line_id, body.note))


@router.post("/{project_id}/amendments", response_model=ProjectOut, responses=PROBLEMS,
             summary="Record a budget amendment with its reason (district or subdistrict admins)")
async def amend(project_id: Id, body: AmendmentIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.amend(db, scope, project_id, fen(body.amount_yuan), body.reason))


@router.post("/{project_id}/complete", response_model=ProjectOut, responses=PROBLEMS,
             summary="Complete the project (every milestone done); its linked demands become resolved")
async def complete(project_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.complete(db, scope, project_id))


@router.post("/{project_id}/evaluation", response_model=ProjectOut, responses=PROBLEMS,
             summary="Supervise and evaluate: outcome, beneficiaries reached, residents' satisfaction")
async def evaluate(project_id: Id, body: EvaluationIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> ProjectOut:
    return out(await use_cases.evaluate(db, scope, project_id, body.outcome, body.beneficiaries_reached,
                                        body.satisfaction_percent))


@router.get("/{project_id}/accountability", responses=PROBLEMS,
            summary="Progress, spend against budget by funding source, beneficiaries, demands met")
async def project_accountability(project_id: Id, db: DatabaseDep, scope: ScopeDep) -> dict:
    return await accountability.project_figures(db, scope, project_id)
