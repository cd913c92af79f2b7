"""The public notice's read model: internal project and evaluation events project onto the partner
topics with the figures a 公示 needs (budget, spending, progress, the review's score), the notice folds
those partner events (and only them) into its tables, and the page shows them: no member's id, only
sums per period. Handlers run on the service's migrated SQLite database, as the consumer runs them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notice_helpers import axis
from org_registry.app import create_app as org_app
from org_registry.public_notice.consumers import HANDLERS
from org_registry.settings import Settings as OrgSettings
from yizhou.envelope import ReceivedEvent
from yizhou.partner import partner_views
from yizhou_platform.testing import eventually, serve

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def project_event(kind: str, d: str, project_id: str, **extra) -> dict:
    return {"project_id": project_id, "area_code": f"{d}C1", "area_path": f"/{d}/{d}S1/{d}C1/",
            "category": "elderly_care", "linked_demand_ids": ["x1", "x2"], "step": "implement",
            "state": {"project.approved": "approved", "project.progressed": "implementing"}[kind],
            "occurred_at": AT.isoformat(), **extra}


async def fold(db, internal_type: str, data: dict) -> None:
    """The partner view of an internal event, applied as the consumer applies a partner record."""
    [view] = partner_views(internal_type, data)
    event = ReceivedEvent(id=str(uuid.uuid4()), type=view.event_type, source="test", subject=None, time=AT,
                          data=view.model_dump(mode="json"), topic=view.topic, partition=0, offset=0, key=None)
    async with db.sessions() as session, session.begin():
        await HANDLERS[(view.topic, view.event_type)](session, event)


async def test_projects_and_evaluations_reach_the_page_through_their_partner_views(make_settings, auth, unique_code):
    d = unique_code("PR")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org:
        for area in axis(d):
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def seen():
            return (await org.get(f"/public/{d}C1")).status_code == 200

        await eventually(seen, timeout_s=60)
        db = org.app_state.db
        project = "p-" + uuid.uuid4().hex[:6]
        await fold(db, "project.approved", project_event("project.approved", d, project, average_score=88.5,
                                                         budget_yuan=120000.0))
        await fold(db, "project.progressed", project_event("project.progressed", d, project, progress_percent=40.0,
                                                           spent_yuan=30500.5, budget_yuan=120000.0))
        for i, (kind, subject, score, rating) in enumerate([("member", "m-1029", 92, "excellent"),
                                                            ("member", "m-1030", 80, "good"),
                                                            ("unit", "u-31", 70, "fair")]):
            await fold(db, "evaluation.published", {
                "evaluation_id": f"e-{d}-{i}", "subject_kind": kind, "subject_id": subject, "organization_id": "o-1",
                "community_code": f"{d}C1", "community_path": f"/{d}/{d}S1/{d}C1/", "period": "2026-Q4",
                "score": score, "rating": rating})

        for code in (d, f"{d}S1", f"{d}C1"):   # the community's projects count in every area above it
            page = (await org.get(f"/public/{code}")).text
            assert f'data-project="{project}"' in page
            assert "120,000.00" in page and "30,500.50" in page and "40%" in page        # budget, spent, progress
            assert "评审平均分 88.5" in page and "2026-12-01" in page                     # the approval notice
            assert "居家养老" in page and "在职党员" in page and "86.0" in page           # members' average of 92, 80
            assert "m-1029" not in page and "u-31" not in page                            # no one's own result

        # The community moves to another subdistrict: its records follow it on the page.
        other = {"code": f"{d}S2", "name": "南街道", "level": "subdistrict", "parent_code": d}
        assert (await org.post("/api/v1/areas", json=other, headers=admin)).status_code == 201
        moved = await org.post(f"/api/v1/areas/{d}C1/move", json={"new_parent_code": f"{d}S2"}, headers=admin)
        assert moved.status_code == 200, moved.text

        async def followed():
            return f'data-project="{project}"' in (await org.get(f"/public/{d}S2")).text and \
                f'data-project="{project}"' not in (await org.get(f"/public/{d}S1")).text

        await eventually(followed, timeout_s=60)


def test_the_partner_demand_view_carries_what_the_rates_need_and_nothing_personal():
    base = {"demand_id": "d1", "area_code": "CY0100101", "area_path": "/CY/CY01/CY01001/CY0100101/",
            "category": "public_space", "state": "closed", "occurred_at": AT.isoformat()}
    [closed] = partner_views("demand.closed", {**base, "feedback": "satisfied", "feedback_by": "resident",
                                               "contact_attempted": True})
    assert (closed.feedback, closed.feedback_by) == ("satisfied", "resident")
    [called] = partner_views("demand.called_back", {**base, "callback_id": "c1", "resolved": True,
                                                    "satisfaction": "basically_satisfied",
                                                    "source": "callback_by_staff", "called_at": AT.isoformat()})
    assert (called.callback_resolved, called.callback_satisfaction, called.callback_source) == \
        (True, "basically_satisfied", "callback_by_staff")
    [late] = partner_views("demand.overdue", {**base, "state": "submitted", "deadline": "respond",
                                              "due_at": AT.isoformat()})
    assert late.deadline == "respond"
    assert "called_at" not in called.model_dump() and "callback_id" not in called.model_dump()
