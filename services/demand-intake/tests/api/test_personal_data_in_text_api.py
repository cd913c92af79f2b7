"""Phone and ID numbers typed into a demand's free text, however they are written, as other residents
and party members read the demand: its description, its history notes (a cadre's note naming the
resident, with her phone and ID number; an escalation's reason), a dispatched unit's report-in note, the
list and the Open311 view. Staff covering the area and the resident herself read them as written."""

from __future__ import annotations

import unicodedata

from demand_helpers import demand_body, make_unit

CHINESE_DIGITS = str.maketrans("〇零一幺二两三四五六七八九", "0011223456789")


def digits_read(text: str) -> str:
    """The digits a reader takes from `text` (full-width and Chinese numerals too, separators ignored)."""
    text = unicodedata.normalize("NFKC", text).translate(CHINESE_DIGITS)
    return "".join(c for c in text if c.isdigit() or c in "Xx").upper()


# Each number written one way people type it, with the digits it stands for.
DESCRIBED = {
    "１３９１２３４５６７８": "13912345678",
    "139 2234 5678": "13922345678",
    "139-3234-5678": "13932345678",
    "一三九四二三四五六七八": "13942345678",
    "幺三八幺两三四五六七〇": "13812345670",
    "一三七零二三四五六七八": "13702345678",
    "+86 13952345678": "13952345678",
    "0086-13962345678": "13962345678",
    "(010) 6234 5678": "01062345678",
    "010-62345679": "01062345679",
    "1101 0519 9001 0112 34": "110105199001011234",
}
NOTED = {
    "１３６-１１１１\u00a02222": "13611112222",
    "11010519491231002X": "11010519491231002X",
    "1101-0519-4912-3100-2x": "11010519491231002X",
    "110105 491231 002": "110105491231002",  # the old 15-digit form
    "０１０－８７６５ ４３２１": "01087654321",
    "+86 10 8765 4322": "1087654322",
    "一五零 零零零零 一一一一": "15000001111",
}
NAME = "李秀英"


async def test_numbers_in_any_written_form_and_staff_notes_are_hidden_from_party_members_and_other_residents_see_nothing(
        client, axis, token, auth, db):
    owner = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-owner-' + axis['d'])}"}
    description = "楼道灯坏了，联系我：" + "；".join(DESCRIBED) + "。"
    created = await client.post("/api/v1/demands", headers=owner, json=demand_body(
        axis["g1"], channel="online", description=description, resident={"name": NAME, "phone": "13700137000"}))
    assert created.status_code == 201, created.text
    demand_id = created.json()["demand"]["id"]
    note = f"已电话联系{NAME}（手机１３６-１１１１\u00a02222，身份证11010519491231002X，另记1101-0519-4912-3100-2x；" \
           f"旧证110105 491231 002；单位电话０１０－８７６５ ４３２１），明日上门"
    worker = auth("grid_worker", axis["g1"])
    accepted = await client.post(f"/api/v1/demands/{demand_id}/accept", json={"note": note}, headers=worker)
    assert accepted.status_code == 200, accepted.text
    # Up to the subdistrict (the reason lands in the history), whose whistle a unit reports in to.
    reason = "需要街道协调，居民家属电话+86 10 8765 4322"
    for staff in (worker, auth("community_worker", axis["c1"])):
        escalated = await client.post(f"/api/v1/demands/{demand_id}/escalate", json={"reason": reason}, headers=staff)
        assert escalated.status_code == 200, escalated.text
    subdistrict = auth("subdistrict_admin", axis["s1"])
    heating = await make_unit(db, axis["d"], "北京热力集团", kind="state_owned_enterprise")
    dispatched = await client.post(f"/api/v1/demands/{demand_id}/dispatch", headers=subdistrict, json={
        "receivers": [{"unit_id": heating}], "report_in_hours": 12})
    assert dispatched.status_code == 201, dispatched.text
    report = f"已到现场，联系{NAME}儿子 一五零 零零零零 一一一一"
    reported = await client.post(f"/api/v1/demands/{demand_id}/dispatches/{dispatched.json()[0]['id']}/report-in",
                                 json={"note": report}, headers=subdistrict)
    assert reported.status_code == 200, reported.text

    url = f"/api/v1/demands/{demand_id}"
    # Who may see it reads it as written: the test is not vacuous.
    for reader in (owner, worker, subdistrict):
        seen = (await client.get(url, headers=reader)).json()
        assert seen["description"] == description and note in [h["note"] for h in seen["history"]]
        assert [d["report_note"] for d in seen["dispatches"]] == [report]

    # Other residents, of the grid or the community, do not read it at all (not even that it exists) ...
    neighbour = {"Authorization": f"Bearer {token('resident', axis['g1'], subject='resident-next-door-' + axis['d'])}"}
    for reader in (neighbour, auth("resident", axis["c1"])):
        assert (await client.get(url, headers=reader)).status_code == 404
        assert (await client.get(f"/open311/v2/requests/{demand_id}.json", headers=reader)).status_code == 404
        listed = (await client.get("/api/v1/demands", headers=reader)).json()["items"]
        assert demand_id not in [d["id"] for d in listed]
    # ... and party members of the grid and the community read it without its personal data.
    for reader in (auth("party_member", axis["c1"]), auth("party_member", axis["g1"])):
        seen = (await client.get(url, headers=reader)).json()
        assert seen["personal_data_masked"] is True
        notes = [h["note"] or "" for h in seen["history"]] + [d["report_note"] for d in seen["dispatches"]]
        # The notes are there, their personal data is not: exactly the numbers' characters are replaced.
        assert "已电话联系李**（手机****，身份证****，另记****；旧证****；单位电话****），明日上门" in notes, notes
        assert "已到现场，联系李**儿子 ****" in notes and any(n.endswith(": 需要街道协调，居民家属电话****") for n in notes)
        assert all(NAME not in n for n in notes), notes
        listed = next(d for d in (await client.get("/api/v1/demands", headers=reader)).json()["items"]
                      if d["id"] == demand_id)
        open311 = (await client.get(f"/open311/v2/requests/{demand_id}.json", headers=reader)).json()[0]
        read = {"description": seen["description"], "notes": " ".join(notes), "list": listed["description"],
                "open311": open311["description"]}
        for where, text in read.items():
            for written, digits in {**DESCRIBED, **NOTED}.items():
                assert digits not in digits_read(text), (where, written, text)
        assert seen["description"] == listed["description"] == "楼道灯坏了，联系我：" + "；".join(["****"] * len(DESCRIBED)) + "。"
