"""The inner loop: project-matching's use cases called directly, as the API calls them, on a database
of their own (a SQLite file per module, migrated once). No app, no broker, no relay: the outbox rows a
use case records are what it published, and the axis and demand list are written straight into the
service's read copies (matching_helpers). The API, flow and failure suites run the same code over
HTTP, Kafka and PostgreSQL. (These use cases take the time from the system clock, so no clock here.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import project_matching
from matching_helpers import add_demand, make_axis
from project_matching.domain.matching import PriorityWeights, Window
from project_matching.domain.project import State
from project_matching.use_cases import matching, projects, resources
from yizhou.auth import AreaScope, Caller, Role
from yizhou.database import Database
from yizhou.errors import (ApplicationError, Conflict, Forbidden, Invalid, NotFound, RuleViolated, TransitionNotAllowed,
                           UnknownReference)
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head

DESIGN = {"goals": ["Weekly visits for elderly residents living alone"], "linked_demand_ids": [],
          "beneficiaries_planned": 30,
          "budget_lines": [("Visits", 1_000_000, "government_purchase"), ("Supplies", 200_050, "unit_funds")],
          "milestones": [("Team formed", 25), ("Visits done", 75)]}


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('use-cases') / 'project_matching.db'}")
    await upgrade_to_head(database.engine, Path(project_matching.__file__).parent / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
async def axis(db, unique_code):
    return await make_axis(db, unique_code("P"))


def scope_of(axis, role: str, area_key: str, subject: str | None = None) -> AreaScope:
    code = axis[area_key]
    return AreaScope(Caller(subject=subject or f"{role}@{code}", role=Role(role), area=code), axis["paths"][code])


async def recorded(db, aggregate_id: str) -> list[str]:
    """The aggregate's own events, in order (its partner views ride along in the same transactions)."""
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type).where(
            outbox.c.aggregate_id == aggregate_id, ~outbox.c.event_type.startswith("partner.")).order_by(outbox.c.id))
        return list(rows.scalars())


async def approved_project(db, axis) -> str:
    """A project of grid G1 designed, submitted, reviewed and approved; returns its id."""
    worker, reviewer = scope_of(axis, "community_worker", "c1"), scope_of(axis, "subdistrict_admin", "s1")
    project = await projects.open_project(db, worker, title="Visits for the elderly", area_code=axis["g1"],
                                          category="elderly_care", linked_demand_ids=[])
    await projects.design(db, worker, project.id, DESIGN)
    await projects.submit(db, worker, project.id)
    await projects.review(db, reviewer, project.id, 4, "Sound plan")
    await projects.decide(db, reviewer, project.id, True, ["Meets the need"])
    return project.id


async def test_a_project_goes_design_review_implement_and_each_step_is_an_event(db, axis):
    worker, reviewer = scope_of(axis, "community_worker", "c1"), scope_of(axis, "subdistrict_admin", "s1")
    demand = await add_demand(db, axis, "g1")
    opened = await projects.open_project(db, worker, title="Visits", area_code=axis["g1"], category="elderly_care",
                                         linked_demand_ids=[demand])
    assert opened.state == State.UNDERSTANDING and opened.step == "understand"
    designed = await projects.design(db, worker, opened.id, DESIGN)
    assert designed.state == State.DESIGNING and designed.budget_fen == 1_200_050
    assert designed.linked_demand_ids == (demand,)  # the demand linked at opening stays linked
    assert (await projects.submit(db, worker, opened.id)).state == State.IN_REVIEW
    reviewed = await projects.review(db, reviewer, opened.id, 4, "Sound plan")
    assert reviewed.average_score == 4
    assert (await projects.decide(db, reviewer, opened.id, True, ["Meets the need"])).state == State.APPROVED
    started = await projects.start(db, worker, opened.id)
    assert started.state == State.IMPLEMENTING and started.step == "implement"
    assert await recorded(db, opened.id) == ["project.opened", "project.designed", "project.submitted",
                                             "project.approved", "project.started"]  # a review alone is no event
    with pytest.raises(TransitionNotAllowed) as refused:  # an implementing project is not designed again
        await projects.design(db, worker, opened.id, DESIGN)
    assert refused.value.extensions["current_state"] == "implementing"
    assert refused.value.extensions["requested_state"] == "designing"
    assert (await projects.get(db, worker, opened.id)).state == State.IMPLEMENTING


async def test_a_project_is_approved_only_after_a_review_and_by_a_reviewer(db, axis):
    worker, reviewer = scope_of(axis, "community_worker", "c1"), scope_of(axis, "subdistrict_admin", "s1")
    project = await projects.open_project(db, worker, title="Repairs", area_code=axis["g1"],
                                          category="housing_repair", linked_demand_ids=[])
    with pytest.raises(TransitionNotAllowed):  # understand > design first: no submission straight away
        await projects.submit(db, worker, project.id)
    await projects.design(db, worker, project.id, DESIGN)
    await projects.submit(db, worker, project.id)
    with pytest.raises(ApplicationError) as not_ready:
        await projects.decide(db, reviewer, project.id, True, ["Looks fine"])
    assert not_ready.value.slug == "project-not-ready"
    with pytest.raises(Forbidden):  # community staff run projects; admins review them
        await projects.review(db, worker, project.id, 5, "My own project")
    with pytest.raises(NotFound):  # the south's reviewer does not see the north's project
        await projects.review(db, scope_of(axis, "subdistrict_admin", "s2"), project.id, 3, "Elsewhere")
    assert await recorded(db, project.id) == ["project.opened", "project.designed", "project.submitted"]


async def test_money_is_spent_within_the_budget_and_a_project_completes_when_its_milestones_are_done(db, axis):
    worker, reviewer = scope_of(axis, "community_worker", "c1"), scope_of(axis, "subdistrict_admin", "s1")
    project_id = await approved_project(db, axis)
    with pytest.raises(ApplicationError) as early:  # money is spent once the project is implementing
        await projects.spend(db, worker, project_id, 100, None, "Too soon")
    assert early.value.slug == "project-not-ready"
    await projects.start(db, worker, project_id)
    spent = await projects.spend(db, worker, project_id, 1_200_000, "L1", "Visits paid")
    assert spent.spent_fen == 1_200_000
    with pytest.raises(ApplicationError) as over:
        await projects.spend(db, worker, project_id, 100, None, "One more")
    assert over.value.slug == "over-budget" and over.value.status == 409
    await projects.amend(db, reviewer, project_id, 10_000, "More supplies")
    assert (await projects.spend(db, worker, project_id, 100, None, "One more")).spent_fen == 1_200_100
    await projects.complete_milestone(db, worker, project_id, "M1")
    with pytest.raises(ApplicationError) as unfinished:
        await projects.complete(db, worker, project_id)
    assert unfinished.value.slug == "project-not-ready"
    with pytest.raises(NotFound):
        await projects.complete_milestone(db, worker, project_id, "M9")
    assert (await projects.complete_milestone(db, worker, project_id, "M2")).progress_percent == 100
    assert (await projects.complete(db, worker, project_id)).state == State.COMPLETED
    # Each spend, amendment and milestone is a progress report.
    assert await recorded(db, project_id) == ["project.opened", "project.designed", "project.submitted",
                                              "project.approved", "project.started", *["project.progressed"] * 5,
                                              "project.completed"]


async def test_a_project_is_opened_only_in_scope_with_a_known_category_and_demands_of_its_area(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    with pytest.raises(UnknownReference):  # G3 lies under the other subdistrict's community
        await projects.open_project(db, worker, title="Elsewhere", area_code=axis["g3"], category="elderly_care",
                                    linked_demand_ids=[])
    with pytest.raises(Invalid):
        await projects.open_project(db, worker, title="Odd", area_code=axis["g1"], category="space_travel",
                                    linked_demand_ids=[])
    far_demand = await add_demand(db, axis, "g3")
    with pytest.raises(UnknownReference) as unknown_demand:
        await projects.open_project(db, scope_of(axis, "district_admin", "d"), title="Far", area_code=axis["g1"],
                                    category="elderly_care", linked_demand_ids=[far_demand])
    assert unknown_demand.value.extensions["errors"][0]["field"] == "linked_demand_ids"
    with pytest.raises(Forbidden):
        await projects.open_project(db, scope_of(axis, "resident", "g1"), title="Mine", area_code=axis["g1"],
                                    category="elderly_care", linked_demand_ids=[])
    assert await projects.list_projects(db, worker, area_code=None, state=None, category=None, after=None,
                                        limit=10) == []


async def test_a_resource_is_registered_in_scope_changed_and_withdrawn(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    body = {"kind": "service", "title": "Home visits by the community health station", "provider_kind":
            "service_alliance", "provider_id": "alliance-7", "area_code": axis["g1"],
            "categories": ["elderly_care", "elderly_care", "health"], "capacity": 2}
    resource = await resources.register(db, worker, body)
    assert resource.area_path == axis["paths"][axis["g1"]] and resource.categories == ("elderly_care", "health")
    with pytest.raises(UnknownReference):  # out of the caller's scope
        await resources.register(db, worker, {**body, "area_code": axis["c2"]})
    with pytest.raises(RuleViolated):  # money funds projects: an amount, no capacity
        await resources.register(db, worker, {**body, "kind": "money", "amount_fen": 50_000})
    assert (await resources.change(db, worker, resource.id, {"capacity": 5})).capacity == 5
    with pytest.raises(RuleViolated):
        await resources.change(db, worker, resource.id, {"capacity": 0})
    await resources.withdraw(db, worker, resource.id)
    with pytest.raises(Conflict):
        await resources.change(db, worker, resource.id, {"capacity": 3})
    with pytest.raises(NotFound):
        await resources.get(db, scope_of(axis, "community_worker", "c2"), resource.id)
    assert await recorded(db, resource.id) == ["resource.registered", "resource.updated", "resource.withdrawn"]


# --- matching rounds (issue 25): windows honoured, rejections remembered, stale proposals expired -----

WEEK = Window(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))


async def run(db, worker, area: str, period: Window = WEEK):
    values, _ = await matching.run_round(db, worker, area_code=area, period=period, max_distance_m=2000,
                                         weights=PriorityWeights())
    rows = await matching.list_matches(db, worker, round_id=values["id"], state=None, after=None, limit=100)
    return values, {(r.demand_id, r.resource_id): r for r in rows}


async def health_resource(db, worker, axis, **over) -> str:
    body = {"kind": "service", "title": "Home visits by the community health station",
            "provider_kind": "service_alliance", "provider_id": "alliance-7", "area_code": axis["c1"],
            "categories": ["health"], "capacity": 1, **over}
    return (await resources.register(db, worker, body)).id


async def test_a_resource_available_only_in_january_2030_is_not_proposed_in_january_2031(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    demand = await add_demand(db, axis, "g1", category="health")
    january_2030 = Window(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))
    resource = await health_resource(db, worker, axis, windows=[january_2030])
    later, proposed = await run(db, worker, axis["c1"], Window(datetime(2031, 1, 1, tzinfo=UTC),
                                                               datetime(2031, 2, 1, tzinfo=UTC)))
    assert proposed == {} and later["stats"]["resources_considered"] == 0
    _, proposed = await run(db, worker, axis["c1"], january_2030)
    assert set(proposed) == {(demand, resource)}


async def test_a_rejected_pair_is_never_proposed_again_and_stale_proposals_expire(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    demand = await add_demand(db, axis, "g1", category="health")
    first = await health_resource(db, worker, axis)
    _, proposed = await run(db, worker, axis["c1"])
    await matching.decide(db, worker, proposed[(demand, first)].id, False, "Not this one")
    again, proposed = await run(db, worker, axis["c1"])
    assert proposed == {} and again["stats"]["proposed"] == 0  # the rejected pair stays rejected
    second = await health_resource(db, worker, axis)
    older, proposed = await run(db, worker, axis["c1"])
    assert set(proposed) == {(demand, second)}
    stale = proposed[(demand, second)]
    newer, proposed = await run(db, worker, axis["c1"])  # supersedes `older`'s undecided proposal
    assert newer["stats"]["proposals_expired"] == 1 and set(proposed) == {(demand, second)}
    expired = (await matching.list_matches(db, worker, round_id=older["id"], state=None, after=None, limit=10))[0]
    assert expired.state == "expired" and newer["id"] in expired.decision_note and expired.decided_at is not None
    with pytest.raises(TransitionNotAllowed) as refused:
        await matching.decide(db, worker, stale.id, True, None)
    assert "expired" in refused.value.detail and newer["id"] in refused.value.detail
    assert refused.value.extensions["current_state"] == "expired"
    assert (await matching.decide(db, worker, proposed[(demand, second)].id, True, None)).state == "accepted"
    # A round of another area does not expire this one's proposals.
    assert (await run(db, scope_of(axis, "community_worker", "c2"), axis["c2"]))[0]["stats"]["proposals_expired"] == 0


async def test_a_round_too_large_for_the_solver_is_refused_as_a_rule_not_a_crash(db, axis, monkeypatch):
    import project_matching.domain.engine as engine_module
    from project_matching.domain.matching import InstanceTooLarge

    def too_large(rules, n, m):
        raise InstanceTooLarge(f"{n} needs and {m} offers exceed the solver's 64-bit cost range")

    worker = scope_of(axis, "community_worker", "c1")
    await add_demand(db, axis, "g1", category="health")
    await health_resource(db, worker, axis)
    monkeypatch.setattr(engine_module, "cost_scale", too_large)
    with pytest.raises(RuleViolated) as refused:
        await run(db, worker, axis["c1"])
    assert "smaller area" in refused.value.detail


# --- live placement (issue 25): an arrival gets a proposal without a new round ---------------------

async def arrive(db, axis, grid: str, **demand) -> tuple[str, str]:
    """A demand arrives as the consumer sees it: written to the demand list, then placed live in the same
    transaction. Returns (demand id, what the placement says)."""
    from yizhou.database import SessionWork

    demand_id = await add_demand(db, axis, grid, **demand)
    async with db.sessions() as session, session.begin():
        work = SessionWork(session)
        said = await matching.place_arrival(session, work, area_path=axis["paths"][axis[grid]],
                                            what=f"demand {demand_id}", now=datetime.now(UTC))
        await work.flush()
    return demand_id, said


def current_period() -> Window:
    now = datetime.now(UTC)
    return Window(now - timedelta(days=1), now + timedelta(days=6))


async def test_a_new_demand_gets_a_proposal_in_the_current_round_without_a_new_round(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    first = await add_demand(db, axis, "g1", category="health")
    resource = await health_resource(db, worker, axis, capacity=2)
    values, proposed = await run(db, worker, axis["c1"], current_period())
    assert set(proposed) == {(first, resource)}
    late, said = await arrive(db, axis, "g2", category="health")
    assert values["id"] in said and "incremental" in said and "1 proposal(s) made" in said
    rows = await matching.list_matches(db, worker, round_id=values["id"], state="proposed", after=None, limit=10)
    assert {(r.demand_id, r.resource_id) for r in rows} == {(first, resource), (late, resource)}
    new = next(r for r in rows if r.demand_id == late)
    assert new.explanation["offer_id"] == resource
    assert await recorded(db, new.id) == ["match.proposed"]


async def test_a_heavier_arrival_moves_the_place_and_the_moved_proposal_expires(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    first = await add_demand(db, axis, "g1", category="health")
    await health_resource(db, worker, axis)
    values, proposed = await run(db, worker, axis["c1"], current_period())
    matching._LIVE.clear()  # as in a worker process that did not run the round: one full solve
    urgent, said = await arrive(db, axis, "g2", category="health", household="disabled")
    assert "full solve" in said
    rows = await matching.list_matches(db, worker, round_id=values["id"], state=None, after=None, limit=10)
    states = {(r.demand_id, r.state) for r in rows}
    assert states == {(first, "expired"), (urgent, "proposed")}
    moved = next(r for r in rows if r.demand_id == first)
    assert urgent in moved.decision_note
    with pytest.raises(TransitionNotAllowed):
        await matching.decide(db, worker, moved.id, True, None)
    # Accepted proposals stay where they are: a yet heavier arrival finds no place.
    await matching.decide(db, worker, next(r.id for r in rows if r.demand_id == urgent), True, None)
    other, said = await arrive(db, axis, "g1", category="health", household="elderly_alone")
    assert "0 proposal(s) made" in said
    rows = await matching.list_matches(db, worker, round_id=values["id"], state=None, after=None, limit=10)
    assert {(r.demand_id, r.state) for r in rows} == {(first, "expired"), (urgent, "accepted")}


async def test_an_arrival_without_a_current_round_says_why_and_proposes_nothing(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    await health_resource(db, worker, axis)
    past = Window(datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 8, tzinfo=UTC))
    await run(db, worker, axis["c1"], past)  # over: not current
    demand, said = await arrive(db, axis, "g1", category="health")
    assert "no current matching round" in said and axis["paths"][axis["g1"]] in said
    rows = await matching.list_matches(db, worker, round_id=None, state=None, after=None, limit=100)
    assert all(r.demand_id != demand for r in rows)
