"""The copy of org-registry's units on a real database: created, then renamed in place (an upsert by
id), and an event whose id org-registry could not have made is refused as unprocessable."""

import uuid
from datetime import UTC, datetime

import pytest

from demand_intake.consumers import on_unit
from demand_intake.store.tables import UnitCopyRow
from yizhou.consumer import UnprocessableEvent
from yizhou.envelope import ReceivedEvent


def unit_event(unit_id: str, name: str, event_type: str = "unit.created") -> ReceivedEvent:
    data = {"unit_id": unit_id, "name": name, "kind": "agency", "area_code": "CY01", "size_class": None,
            "headcount": 10, "members_among_staff": 2}
    return ReceivedEvent(id=str(uuid.uuid4()), type=event_type, source="/org-registry", subject=unit_id,
                         time=datetime.now(UTC), data=data, topic="yizhou.units.v1", partition=0, offset=0, key=unit_id)


async def test_units_are_kept_by_id_and_follow_renames(db):
    unit_id = f"u-{uuid.uuid4().hex[:12]}"
    for event in (unit_event(unit_id, "区住建委"), unit_event(unit_id, "区住房和城乡建设委员会", "unit.updated")):
        async with db.sessions() as session, session.begin():
            await on_unit(session, event)
    async with db.sessions() as session:
        row = await session.get(UnitCopyRow, unit_id)
    assert (row.name, row.kind, row.area_code) == ("区住房和城乡建设委员会", "agency", "CY01")


@pytest.mark.parametrize("unit_id", ["", "u" * 65])
async def test_an_id_org_registry_could_not_have_made_is_refused(db, unit_id):
    async with db.sessions() as session, session.begin():
        with pytest.raises(UnprocessableEvent):
            await on_unit(session, unit_event(unit_id, "x"))
