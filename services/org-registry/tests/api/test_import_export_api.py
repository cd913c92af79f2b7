"""Bulk import and export over HTTP: every bad row reported, nothing written on a bad real run, all
rows and their events written on a good one, and exports that read back in the import format."""

import csv
import hashlib
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from org_registry.domain.unit import credit_code_check_character
from registry_helpers import assert_problem, id_number
from yizhou.messaging_tables import outbox

CSV = {"content-type": "text/csv"}
XLSX = {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
UNIT_HEADER = ["id", "name", "kind", "size_class", "area_code", "headcount", "members_among_staff", "credit_code"]


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def count_units(client, headers, area: str) -> int:
    return len((await client.get("/api/v1/units", params={"under": area, "limit": 500}, headers=headers)).json()["items"])


def credit_code(d: str) -> str:
    """Unique per district (other tests and the OpenAPI examples use credit codes too), with letters
    (so a lower-case one differs) and a right GB 32100 check character."""
    first17 = f"91110105MA{int(hashlib.sha1(d.encode()).hexdigest(), 16) % 10**7:07d}"
    return first17 + credit_code_check_character(first17)


def unit_rows(d: str, c1: str, c2: str) -> list[list]:
    return [
        [f"{d}-u1", "Good Co. 1", "non_public_enterprise", "large", c1, 300, 12, ""],
        [f"{d}-u2", "Good Co. 2", "school", "", c2, 80, 3, ""],
        [f"{d}-u3", "", "market", "", c1, "ten", 0, ""],                            # 4: no name, bad headcount
        [f"{d}-u4", "Bad Kind", "spaceship", "", c1, 1, 0, ""],                    # 5: unknown kind
        [f"{d}-u5", "Outside", "school", "", "NOWHERE", 1, 0, ""],                 # 6: unknown area
        [f"{d}-u1", "Twice", "school", "", c1, 1, 0, ""],                          # 7: id twice in the sheet
        [f"{d}-u7", "Too Many Members", "agency", "", c1, 5, 9, ""],               # 8: members exceed headcount
        [f"{d}-u8", "No Size", "non_public_enterprise", "", c2, 5, 1, ""],         # 9: enterprise without size class
        [f"{d}-u9", "Good Co. 3", "law_firm", "", c2, 20, 2, credit_code(d).lower()],
    ]


async def test_unit_sheet_with_bad_rows_writes_nothing_and_reports_every_one(client, district, db):
    d, admin, c1, c2 = district["code"], district["admin"], district["c1"], district["c2"]
    body = csv_bytes(UNIT_HEADER, unit_rows(d, c1, c2))
    dry = await client.post("/api/v1/imports/units", params={"dry_run": "true"}, content=body, headers={**admin, **CSV})
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["rows"], report["bad_rows"], report["written"]) == (9, 6, 0)
    by_row = {}
    for e in report["errors"]:
        by_row.setdefault(e["row"], set()).add(e["column"])
    assert by_row == {4: {"name", "headcount"}, 5: {"kind"}, 6: {"area_code"}, 7: {"id"}, 8: {"size_class"},
                      9: {"size_class"}}
    assert await count_units(client, admin, d) == 0

    real = await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=body, headers={**admin, **CSV})
    rejected = assert_problem(real, 422, "import-rejected")
    assert rejected["bad_rows"] == 6 and rejected["written"] == 0 and len(rejected["errors"]) == 7
    assert await count_units(client, admin, d) == 0
    async with db.sessions() as session:
        events = (await session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.aggregate_id.like(f"{d}-%")))).scalar()
    assert events == 0

    good = [r for i, r in enumerate(unit_rows(d, c1, c2), start=2) if i not in by_row]
    ok = await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=xlsx_bytes(UNIT_HEADER, good),
                           headers={**admin, **XLSX})
    assert ok.status_code == 201, ok.text
    assert (ok.json()["rows"], ok.json()["written"], ok.json()["errors"]) == (3, 3, [])
    assert await count_units(client, admin, d) == 3
    unit = (await client.get(f"/api/v1/units/{d}-u9", headers=admin)).json()
    assert unit["credit_code"] == credit_code(d) and unit["area_path"].endswith(f"/{c2}/")
    async with db.sessions() as session:
        events = (await session.execute(select(outbox.c.event_type).where(outbox.c.aggregate_id.like(f"{d}-u%")))).scalars().all()
    assert sorted(events) == ["unit.created"] * 3
    # Importing the same sheet again: every row is a duplicate, nothing is written twice.
    again = await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=xlsx_bytes(UNIT_HEADER, good),
                              headers={**admin, **XLSX})
    assert assert_problem(again, 422, "import-rejected")["bad_rows"] == 3


async def test_organization_and_member_sheets_check_references(client, district):
    d, admin, c1, c2 = district["code"], district["admin"], district["c1"], district["c2"]
    units = [[f"{d}-a", "A Co.", "state_owned_enterprise", "", c1, 100, 10, ""],
             [f"{d}-b", "B Co.", "state_owned_enterprise", "", c1, 100, 10, ""],
             [f"{d}-c", "C Co.", "state_owned_enterprise", "", c2, 100, 10, ""]]
    assert (await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=csv_bytes(UNIT_HEADER, units),
                              headers={**admin, **CSV})).status_code == 201
    header = ["id", "name", "kind", "setup_mode", "area_code", "parent_organization_id", "covered_unit_ids",
              "founded_on", "dissolved_on"]
    orgs = [
        [f"{d}-top", "Top Committee", "committee", "non_public_economy_committee", d, "", "", "2000-01-01", ""],
        [f"{d}-j", "Joint", "branch", "joint", c1, f"{d}-top", f"{d}-a;{d}-b", "2008-07-01", ""],
        [f"{d}-j1", "Joint of one", "branch", "joint", c1, f"{d}-top", f"{d}-c", "2008-07-01", ""],        # 4
        [f"{d}-s", "Single A", "branch", "single_unit", c1, f"{d}-top", f"{d}-a", "2008-07-01", ""],       # 5: A taken
        [f"{d}-late", "Late child", "branch", "project", c2, f"{d}-later", "", "2008-07-01", ""],          # 6
        [f"{d}-later", "Later parent", "committee", "project", c2, "", "", "2008-07-01", ""],
        [f"{d}-x", "Ghost cover", "branch", "single_unit", c2, "", f"{d}-nope", "2008-07-01", ""],         # 8
        [f"{d}-old", "Dissolved", "branch", "single_unit", c2, "", f"{d}-c", "2001-01-01", "2000-01-01"],  # 9
    ]
    dry = (await client.post("/api/v1/imports/organizations", params={"dry_run": "true"},
                             content=xlsx_bytes(header, orgs), headers={**admin, **XLSX})).json()
    assert sorted({(e["row"], e["column"]) for e in dry["errors"]}) == [
        (4, "covered_unit_ids"), (5, "covered_unit_ids"), (6, "parent_organization_id"), (8, "covered_unit_ids"),
        (9, "dissolved_on")]
    good = [orgs[i] for i in (0, 1, 5)]
    assert (await client.post("/api/v1/imports/organizations", params={"dry_run": "false"},
                              content=xlsx_bytes(header, good), headers={**admin, **XLSX})).status_code == 201
    joint = (await client.get(f"/api/v1/organizations/{d}-j", headers=admin)).json()
    assert joint["parent_organization_id"] == f"{d}-top" and sorted(joint["covered_unit_ids"]) == [f"{d}-a", f"{d}-b"]
    assert [o["id"] for o in (await client.get(f"/api/v1/organizations/{d}-j/ancestors", headers=admin)).json()] == [f"{d}-top"]
    assert (await client.get(f"/api/v1/units/{d}-a", headers=admin)).json()["organization_id"] == f"{d}-j"

    mheader = ["id", "name", "phone", "id_number", "organization_id", "work_unit_id", "residence_area_code", "skills",
               "in_service", "joined_on", "left_on"]
    same = id_number()
    members = [
        [f"{d}-m1", "张三", "13912345678", same, f"{d}-j", f"{d}-a", c2, "first aid; Law", "yes", "2010-07-01", ""],
        [f"{d}-m2", "李四", "123", id_number(), f"{d}-j", "", c1, "", "no", "2011-07-01", ""],               # 3: phone
        [f"{d}-m3", "王五", "", same, f"{d}-j", "", c1, "", "true", "2012-07-01", ""],                        # 4: same ID
        [f"{d}-m4", "赵六", "", same[:17] + ("1" if same[17] == "0" else "0"), f"{d}-j", "", c1, "", "", "2012-07-01", ""],
        [f"{d}-m5", "钱七", "", id_number(), f"{d}-j", "", c1, "", "maybe", "2012-07-01", ""],                 # 6
        [f"{d}-m6", "孙八", "", id_number(), f"{d}-nope", "", c1, "", "", "2012-07-01", ""],                   # 7
    ]
    dry = (await client.post("/api/v1/imports/members", params={"dry_run": "true"}, content=csv_bytes(mheader, members),
                             headers={**admin, **CSV})).json()
    assert sorted({(e["row"], e["column"]) for e in dry["errors"]}) == [
        (3, "phone"), (4, "id_number"), (5, "id_number"), (6, "in_service"), (7, "organization_id")]
    assert all(same not in e["reason"] for e in dry["errors"])  # reports do not echo personal data
    ok = await client.post("/api/v1/imports/members", params={"dry_run": "false"},
                           content=csv_bytes(mheader, members[:1]), headers={**admin, **CSV})
    assert ok.status_code == 201, ok.text
    member = (await client.get(f"/api/v1/members/{d}-m1", headers=admin)).json()
    assert member["skills"] == ["first aid", "law"] and member["in_service"] is True and member["phone"] == "13912345678"


async def test_exports_read_back_in_the_import_format(client, district):
    d, admin, c1 = district["code"], district["admin"], district["c1"]
    rows = [[f"{d}-e{i}", f"Export Co. {i}", "school", "", c1, 10 + i, 1, ""] for i in range(5)]
    assert (await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=csv_bytes(UNIT_HEADER, rows),
                              headers={**admin, **CSV})).status_code == 201
    exported = await client.get("/api/v1/exports/units", params={"under": d}, headers=admin)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == UNIT_HEADER and sorted(lines[1:]) == sorted([[str(c) for c in r] for r in rows])
    workbook = await client.get("/api/v1/exports/units", params={"under": d, "format": "xlsx"}, headers=admin)
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)][0] == UNIT_HEADER
    # The export is a valid import: a dry run finds only that the units exist already.
    dry = (await client.post("/api/v1/imports/units", content=workbook.content, headers={**admin, **XLSX})).json()
    assert dry["rows"] == 5 and {e["column"] for e in dry["errors"]} == {"id"}


async def test_bad_files_and_callers(client, district, auth):
    admin = district["admin"]
    assert_problem(await client.post("/api/v1/imports/units", content=b"not a workbook", headers={**admin, **XLSX}),
                   422, "unreadable-sheet")
    assert_problem(await client.post("/api/v1/imports/units", content=b"\xff\xfe\x00bad", headers={**admin, **CSV}),
                   422, "unreadable-sheet")
    assert_problem(await client.post("/api/v1/imports/units", content=b"x", headers={**admin, "content-type": "image/png"}),
                   415, "unsupported-media-type")
    assert_problem(await client.post("/api/v1/imports/planets", content=b"id\n", headers={**admin, **CSV}), 422, "validation")
    header_only = (await client.post("/api/v1/imports/units", content=b"id,name,colour\n", headers={**admin, **CSV})).json()
    assert {(e["row"], e["column"]) for e in header_only["errors"]} >= {(1, "colour"), (1, "kind"), (1, "area_code")}
    assert_problem(await client.post("/api/v1/imports/units", content=b"id\n", headers={**auth("party_member", district["c1"]),
                                                                                       **CSV}), 403, "forbidden")
    assert_problem(await client.get("/api/v1/exports/members", headers=auth("partner", district["c1"])), 403, "forbidden")
    assert_problem(await client.post("/api/v1/imports/units", content=b"x" * (2 << 20), headers={**admin, **CSV}),
                   413, "payload-too-large")


UNIT_HEADER_ZH = ["单位编号", "单位名称", "单位类型", "企业规模", "所在区域（代码）", "职工人数", "党员人数", "统一社会信用代码"]
MEMBER_HEADER_ZH = ["党员编号", "姓名", "手机号", "身份证号", "所在党组织", "工作单位", "居住区域", "技能", "是否在职",
                    "入党日期", "离开日期"]


async def test_sheets_with_chinese_headers_and_names_import_and_bad_codes_are_row_errors(client, district):
    d, admin, c1, c2 = district["code"], district["admin"], district["c1"], district["c2"]
    units = [[f"{d}-z1", "甲科技有限公司", "非公有制企业", "大型", c1, 300, 12, credit_code(d)],
             [f"{d}-z2", "乙学校", "学校", "", c2, 80, 3, ""]]
    ok = await client.post("/api/v1/imports/units", params={"dry_run": "false"},
                           content=xlsx_bytes(UNIT_HEADER_ZH, units), headers={**admin, **XLSX})
    assert ok.status_code == 201, ok.text
    unit = (await client.get(f"/api/v1/units/{d}-z1", headers=admin)).json()
    assert (unit["kind"], unit["size_class"], unit["credit_code"]) == ("non_public_enterprise", "large", credit_code(d))

    bad_code = credit_code(d)[:-1] + ("0" if credit_code(d)[-1] != "0" else "1")
    dry = (await client.post("/api/v1/imports/units", content=csv_bytes(UNIT_HEADER_ZH, [
        [f"{d}-z3", "丙公司", "社会组织", "", c1, 10, 1, bad_code]]), headers={**admin, **CSV})).json()
    assert [(e["row"], e["column"], e["column_label"]) for e in dry["errors"]] == [(2, "credit_code", "统一社会信用代码")]
    assert "GB 32100" in dry["errors"][0]["reason"]

    organization = [["组织编号", "组织名称", "组织类别", "组建方式", "所在区域", "上级党组织", "覆盖单位", "成立日期", "撤销日期"],
                    [f"{d}-zo", "甲科技党支部", "党支部", "单个组织成立党组织", c1, "", f"{d}-z1", "2008/7/1", ""]]
    assert (await client.post("/api/v1/imports/organizations", params={"dry_run": "false"},
                              content=csv_bytes(organization[0], organization[1:]),
                              headers={**admin, **CSV})).status_code == 201
    good_number, bad_number = id_number(), id_number()
    bad_number = bad_number[:17] + ("1" if bad_number[17] == "0" else "0")
    members = [[f"{d}-zm1", "张三", "13912345678", good_number, f"{d}-zo", f"{d}-z1", c2, "急救", "是", "2010-07-01", ""],
               [f"{d}-zm2", "李四", "", bad_number, f"{d}-zo", "", c1, "", "否", "2011-07-01", ""]]
    dry = (await client.post("/api/v1/imports/members", content=xlsx_bytes(MEMBER_HEADER_ZH, members),
                             headers={**admin, **XLSX})).json()
    assert [(e["row"], e["column"], e["column_label"]) for e in dry["errors"]] == [(3, "id_number", "身份证号")]
    assert bad_number not in dry["errors"][0]["reason"]
    ok = await client.post("/api/v1/imports/members", params={"dry_run": "false"},
                           content=xlsx_bytes(MEMBER_HEADER_ZH, members[:1]), headers={**admin, **XLSX})
    assert ok.status_code == 201, ok.text
    member = (await client.get(f"/api/v1/members/{d}-zm1", headers=admin)).json()
    assert member["in_service"] is True and member["organization_id"] == f"{d}-zo"
    # A sheet with both a Chinese and an English header for one column is refused at the header.
    twice = (await client.post("/api/v1/imports/units", content=csv_bytes(["name", *UNIT_HEADER_ZH], []),
                               headers={**admin, **CSV})).json()
    assert (1, "name", "column appears twice") in {(e["row"], e["column"], e["reason"]) for e in twice["errors"]}


async def test_templates_have_chinese_headers_drop_downs_and_an_example_that_imports(client, district, auth):
    admin = district["admin"]
    for kind, lists in (("units", {"单位类型", "企业规模"}), ("organizations", {"组织类别", "组建方式"}),
                        ("members", {"是否在职"})):
        response = await client.get(f"/api/v1/imports/{kind}/template", headers=admin)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX["content-type"]
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), header  # every header Chinese
        assert [c.comment.text.split("（")[0] for c in sheet[1]][:2] == ["id", "name"]  # the code in each comment
        validated = {header[next(iter(v.sqref.ranges)).min_col - 1]: v for v in sheet.data_validations.dataValidation}
        assert set(validated) == lists and all(v.type == "list" for v in validated.values())
        choices = workbook[workbook.sheetnames[1]]
        assert choices.sheet_state == "hidden"
        if kind == "members":
            assert [r[0].value for r in choices.iter_rows()] == ["是", "否"]
        dry = (await client.post(f"/api/v1/imports/{kind}", content=response.content, headers={**admin, **XLSX})).json()
        assert dry["rows"] == 1, dry
        if kind == "members":  # the example names an organization the example cannot create
            assert {e["column"] for e in dry["errors"]} == {"organization_id"}
        else:
            assert dry["errors"] == []
    assert_problem(await client.get("/api/v1/imports/units/template", headers=auth("partner", district["c1"])),
                   403, "forbidden")
    assert_problem(await client.get("/api/v1/imports/planets/template", headers=admin), 422, "validation")


async def test_chinese_exports_carry_names_beside_ids_and_read_back(client, district):
    d, admin, c1 = district["code"], district["admin"], district["c1"]
    units = [[f"{d}-n1", "=HYPERLINK(\"x\")", "国有企业", "", c1, 100, 10, ""]]
    assert (await client.post("/api/v1/imports/units", params={"dry_run": "false"},
                              content=csv_bytes(UNIT_HEADER_ZH, units), headers={**admin, **CSV})).status_code == 201
    header = ["id", "name", "kind", "setup_mode", "area_code", "parent_organization_id", "covered_unit_ids",
              "founded_on", "dissolved_on"]
    orgs = [[f"{d}-top", "区非公工委", "committee", "non_public_economy_committee", d, "", "", "2000-01-01", ""],
            [f"{d}-n", "国企党支部", "branch", "state_enterprise", c1, f"{d}-top", f"{d}-n1", "2008-07-01", ""]]
    assert (await client.post("/api/v1/imports/organizations", params={"dry_run": "false"},
                              content=csv_bytes(header, orgs), headers={**admin, **CSV})).status_code == 201

    exported = await client.get("/api/v1/exports/organizations", params={"under": d, "headers": "zh"}, headers=admin)
    assert exported.status_code == 200, exported.text
    lines = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    child = next(r for r in lines if r["组织编号"] == f"{d}-n")
    assert (child["组织类别"], child["组建方式"]) == ("党支部", "国有企业党组织")
    assert (child["所在区域名称"], child["上级党组织名称"]) == ("Elm Community", "区非公工委")
    assert child["覆盖单位名称"] == "'=HYPERLINK(\"x\")"  # a name is a cell like any other: neutralised
    workbook = await client.get("/api/v1/exports/units", params={"under": d, "headers": "zh", "format": "xlsx"},
                                headers=admin)
    rows = [list(r) for r in load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0].iter_rows(
        values_only=True)]
    assert rows[0][:6] == ["单位编号", "单位名称", "单位类型", "企业规模", "所在区域（代码）", "所在区域名称"]
    assert rows[1][:6] == [f"{d}-n1", "=HYPERLINK(\"x\")", "国有企业", None, c1, "Elm Community"]
    assert workbook.content.count(b"<f>") == 0  # strings, never formulas
    # The Chinese export is an import sheet too: a dry run finds only that the records exist already.
    dry = (await client.post("/api/v1/imports/units", content=workbook.content, headers={**admin, **XLSX})).json()
    assert dry["rows"] == 1 and {e["column"] for e in dry["errors"]} == {"id"}
    assert_problem(await client.get("/api/v1/exports/units", params={"headers": "fr"}, headers=admin), 422, "validation")
