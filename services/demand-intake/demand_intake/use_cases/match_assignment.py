"""Accepting a match assigns the demand (issue 20): when project-matching accepts a match whose resource
a registered unit provides, the demand is assigned to that unit in the same step, as
`POST /api/v1/demands/{id}/assign {unit_id}` would (the unit from this service's copy, named after it,
the same state machine), with the history note "assigned by match <id>".

What cannot be assigned is skipped, never refused: the fact is project-matching's and stays true. A
demand not accepted yet, already assigned, or past assignment (in progress, resolved, closed, withdrawn,
merged) keeps its state; a member's resource assigns nothing (a demand is handled by a unit or a named
department, not by one member), so staff assign those demands by hand."""

from __future__ import annotations

from datetime import datetime

from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.store.demands import DemandRepository
from demand_intake.store.tables import UnitCopyRow
from demand_intake.use_cases.access import SYSTEM
from demand_intake.use_cases.demands import apply_state
from demand_intake.use_cases.publishing import Work
from yizhou.state_machine import IllegalTransition


def match_note(match_id: str) -> str:
    return f"assigned by match {match_id}"


async def assign_by_match(work: Work, *, match_id: str, demand_id: str | None, provider_kind: str | None,
                          provider_id: str | None, now: datetime) -> str:
    """Assigns the matched demand to the resource's provider unit. Returns what happened, in words, for
    the log: also why nothing was assigned."""
    what = f"match {match_id}"
    if demand_id is None:
        return f"{what}: a project post, no demand to assign"
    if provider_kind != "unit" or not provider_id:
        return (f"{what}: the provider is {provider_kind or 'not named'}, not a registered unit; demand {demand_id} "
                "is left for staff to assign")
    demands = DemandRepository(work.session)
    demand = await demands.get(demand_id)
    if demand is None:
        return f"{what}: demand {demand_id} unknown here"
    note = match_note(match_id)
    if await demands.has_history_note(demand.id, note):
        return f"{what}: demand {demand_id} assigned before"   # a replay of the topic: never twice for one fact
    unit = await work.session.get(UnitCopyRow, provider_id)
    if unit is None:
        return f"{what}: unit {provider_id} is not known here (org-registry's units arrive as events); not assigned"
    previous = demand.state
    try:
        demand.assign(unit.name, now, unit_id=unit.unit_id)
    except (IllegalTransition, DemandRuleViolation) as refused:
        return f"{what}: demand {demand_id} not assigned ({previous.value}: {refused})"
    await apply_state(work, demand, previous, now, SYSTEM, note=note,
                      event_extra={"assignee": demand.assignee, "assignee_unit_id": demand.assignee_unit_id})
    return f"{what}: demand {demand_id} assigned to unit {unit.unit_id}"
