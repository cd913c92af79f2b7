"""Keeping the facts the guarantee network scores and reports on, from other services' events: the
copies of organizations, units and members, the current registrations, confirmed service hours,
published evaluations and demand-intake's demand facts (for the three rates). Called by
`project_matching.guarantee.consumers`, which reads each event and refuses a broken one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.store import read_copies


async def keep_organization(session: AsyncSession, *, organization_id: str, name: str, kind: str, area_code: str,
                            area_path: str, parent_organization_id: str | None, dissolved: bool,
                            now: datetime) -> None:
    await read_copies.keep_organization(session, organization_id, {
        "name": name[:200], "kind": kind[:32], "area_code": area_code, "area_path": area_path,
        "parent_organization_id": parent_organization_id, "dissolved": dissolved, "updated_at": now})


async def keep_unit(session: AsyncSession, *, unit_id: str, kind: str, area_path: str, organization_id: str | None,
                    now: datetime) -> None:
    await read_copies.keep_unit(session, unit_id, {
        "kind": kind[:32], "area_path": area_path, "organization_id": organization_id, "updated_at": now})


async def keep_member(session: AsyncSession, *, member_id: str, organization_id: str, residence_path: str,
                      in_service: bool, active: bool, now: datetime) -> None:
    await read_copies.keep_member(session, member_id, {
        "organization_id": organization_id, "residence_path": residence_path, "in_service": in_service,
        "active": active, "updated_at": now})


async def keep_registration(session: AsyncSession, *, registrant_kind: str, registrant_id: str,
                            registration_id: str, organization_id: str | None, community_path: str,
                            hours_per_year: float | None, registered_at: datetime) -> None:
    """A unit's or member's current registration; only a unit's commits hours per year."""
    await read_copies.keep_registration(session, registrant_kind, registrant_id, {
        "registration_id": registration_id, "organization_id": organization_id, "community_path": community_path,
        "hours_per_year": hours_per_year if registrant_kind == "unit" else None, "registered_at": registered_at})


async def keep_service(session: AsyncSession, *, service_id: str, provider_kind: str, provider_id: str,
                       started_at: datetime, minutes: int) -> None:
    await read_copies.keep_service(session, service_id, {
        "provider_kind": provider_kind[:8], "provider_id": provider_id, "started_at": started_at, "minutes": minutes})


async def keep_evaluation(session: AsyncSession, *, evaluation_id: str, subject_kind: str, subject_id: str,
                          organization_id: str | None, community_path: str, year: int, score: float) -> None:
    await read_copies.keep_evaluation(session, evaluation_id, {
        "subject_kind": subject_kind[:8], "subject_id": subject_id, "organization_id": organization_id,
        "community_path": community_path, "year": year, "score": score})


async def follow_demand(session: AsyncSession, event_type: str, *, demand_id: str, area_path: str, state: str,
                        occurred_at: datetime, deadline: str | None, feedback: str | None,
                        feedback_by: str | None = None, imported: bool = False) -> None:
    """The facts the scorecards are computed from, as demand-intake's rates count them for scoring (see
    docs/services/demand-intake.md: the three rates): responded (accepted or rejected), overdue before
    responding, and the feedback residents gave themselves. Imported demands are left out (their history
    was entered by those the scorecard measures), and so is feedback staff recorded for a resident."""
    row = await read_copies.demand_fact(session, demand_id)
    if row is None:
        if event_type != "demand.submitted" or imported:
            # Keyed by demand id, a demand's submission comes first; a demand submitted before this
            # consumer existed is outside the rates (a rebuild replays it from the start).
            return
        await read_copies.add_demand_fact(session, {
            "demand_id": demand_id, "area_path": area_path, "state": state, "submitted_at": occurred_at,
            "responded": False, "respond_overdue": False, "feedback": None})
        return
    values: dict = {"state": state, "area_path": area_path}
    if event_type in ("demand.accepted", "demand.rejected") and not row.responded:
        values["responded"] = True
    elif event_type == "demand.overdue" and deadline == "respond" and not row.responded:
        values["respond_overdue"] = True
    elif event_type in ("demand.closed", "demand.reopened") and feedback and feedback_by == "resident":
        values["feedback"] = feedback
    await read_copies.change_demand_fact(session, demand_id, values)
