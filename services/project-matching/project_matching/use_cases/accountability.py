"""Accountability figures for a dashboard: per project (progress, spend, beneficiaries) and per area
(projects by category and step, money by funding source, demands met)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from project_matching.domain.project import Project, State
from project_matching.store import matching as store
from project_matching.store.projects import ProjectRepository
from project_matching.store.tables import demand_copy
from project_matching.use_cases.access import area_in_scope, not_found
from yizhou.auth import AreaScope
from yizhou.database import Database


def money_by_source(p: Project) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"budget_yuan": 0.0, "spent_yuan": 0.0})
    source_of = {line.line_id: line.funding_source for line in p.budget_lines}
    for line in p.budget_lines:
        out[line.funding_source]["budget_yuan"] += line.amount_fen / 100
    for a in p.amendments:
        out["amendments"]["budget_yuan"] += a.amount_fen / 100
    for s in p.spends:
        out[source_of.get(s.line_id, "unallocated")]["spent_yuan"] += s.amount_fen / 100
    return {k: {m: round(v, 2) for m, v in d.items()} for k, d in out.items()}


async def _met(session, demand_ids: list[str]) -> int:
    if not demand_ids:
        return 0
    query = select(demand_copy.c.demand_id).where(demand_copy.c.demand_id.in_(demand_ids),
                                                  demand_copy.c.state.in_(store.MET_DEMAND_STATES))
    return len((await session.execute(query)).all())


async def project_figures(db: Database, scope: AreaScope, project_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        p = await ProjectRepository(session).get(project_id)
        if p is None or not scope.covers(p.area_path):
            raise not_found("project", project_id)
        met = await _met(session, list(p.linked_demand_ids))
    evaluation = p.evaluation or {}
    return {"project_id": p.id, "state": p.state.value, "step": p.step, "category": p.category,
            "area_code": p.area_code, "progress_percent": p.progress_percent, "budget_yuan": p.budget_fen / 100,
            "spent_yuan": p.spent_fen / 100, "remaining_yuan": (p.budget_fen - p.spent_fen) / 100,
            "money_by_funding_source": money_by_source(p),
            "milestones_done": sum(1 for m in p.milestones if m.done_at), "milestones": len(p.milestones),
            "beneficiaries_planned": p.beneficiaries_planned,
            "beneficiaries_reached": evaluation.get("beneficiaries_reached"),
            "satisfaction_percent": evaluation.get("satisfaction_percent"),
            "linked_demands": len(p.linked_demand_ids), "linked_demands_met": met}


async def area_figures(db: Database, scope: AreaScope, area_code: str | None) -> dict[str, Any]:
    async with db.sessions() as session:
        area_path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        projects = await ProjectRepository(session).all_under(area_path)
        counts = await store.demand_counts(session, area_path)
        matched = await store.accepted_matches_count(session, area_path)
        linked = list({d for p in projects for d in p.linked_demand_ids})
        linked_met = await _met(session, linked)
    by_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    money: dict[str, dict[str, float]] = defaultdict(lambda: {"budget_yuan": 0.0, "spent_yuan": 0.0})
    funded = (State.APPROVED, State.IMPLEMENTING, State.COMPLETED, State.EVALUATED)
    satisfaction = [p.evaluation["satisfaction_percent"] for p in projects if p.evaluation]
    for p in projects:
        by_category[p.category][p.step] += 1
        if p.state in funded:
            for source, figures in money_by_source(p).items():
                for k, v in figures.items():
                    money[source][k] += v
    return {
        "area_code": area_code or scope.caller.area, "projects": len(projects),
        "projects_by_category": {c: dict(s) for c, s in sorted(by_category.items())},
        "money_by_funding_source": {s: {k: round(v, 2) for k, v in f.items()} for s, f in sorted(money.items())},
        "demands": {"total": sum(counts.values()), "met": sum(counts.get(s, 0) for s in store.MET_DEMAND_STATES),
                    "open": sum(counts.get(s, 0) for s in store.OPEN_DEMAND_STATES), "by_state": counts,
                    "linked_to_projects": len(linked), "linked_met": linked_met, "matched_to_resources": matched},
        "beneficiaries_planned": sum(p.beneficiaries_planned for p in projects if p.state in funded),
        "beneficiaries_reached": sum((p.evaluation or {}).get("beneficiaries_reached", 0) for p in projects),
        "average_satisfaction_percent": round(sum(satisfaction) / len(satisfaction), 2) if satisfaction else None,
    }
