"""Reading one row of an import sheet: every error of the row is collected with its column; Chinese
headers, names and 是/否 read as the English codes; a Chinese export row reads back."""

from org_registry.domain.member import with_check_digit
from org_registry.domain.organization import SetupMode
from org_registry.domain.sheet_rows import (COLUMNS, HEADERS_ZH, NAME_COLUMNS, SheetKind, canonical_header,
                                            cells_of_organization, check_header, export_header, label_key,
                                            localized_cells, parse_member, parse_organization, parse_unit, references)


def unit_cells(**over):
    return {"id": "u-1", "name": "  Good   Co. ", "kind": "Non_Public_Enterprise", "size_class": "large",
            "area_code": "CY01", "headcount": "10", "members_among_staff": "2", "credit_code": "", **over}


def test_a_good_unit_row_is_normalized():
    unit, errors = parse_unit(unit_cells())
    assert errors == [] and unit.name == "Good Co." and unit.kind.value == "non_public_enterprise"
    assert unit.credit_code is None and unit.headcount == 10


def test_every_bad_cell_of_a_row_is_reported():
    _, errors = parse_unit(unit_cells(id="bad id!", name="", kind="rocket", headcount="-1", members_among_staff="x",
                                      area_code="", credit_code="123"))
    assert {e.column for e in errors} == {"id", "name", "kind", "headcount", "members_among_staff", "area_code",
                                          "credit_code"}


def test_rules_of_the_domain_apply_to_rows():
    _, errors = parse_unit(unit_cells(size_class=""))
    assert [e.column for e in errors] == ["size_class"]
    _, errors = parse_unit(unit_cells(members_among_staff="11"))
    assert errors and "exceed" in errors[0].reason


def test_organization_rows():
    cells = {"id": "o-1", "name": "Joint", "kind": "branch", "setup_mode": "joint", "area_code": "CY01",
             "parent_organization_id": "", "covered_unit_ids": "u-1; u-2 ;u-1", "founded_on": "2008-07-01",
             "dissolved_on": ""}
    org, errors = parse_organization(cells)
    assert errors == [] and org.covered_unit_ids == ("u-1", "u-2") and org.setup_mode == SetupMode.JOINT
    _, errors = parse_organization({**cells, "covered_unit_ids": "u-1"})
    assert [e.column for e in errors] == ["covered_unit_ids"]
    _, errors = parse_organization({**cells, "parent_organization_id": "o-1", "founded_on": "1 July 2008"})
    assert {e.column for e in errors} == {"parent_organization_id", "founded_on"}


def test_member_rows_check_personal_data_without_echoing_it():
    number = with_check_digit("11010519800101123")
    cells = {"id": "m-1", "name": "王 建国", "phone": "139-1234-5678", "id_number": number.lower(),
             "organization_id": "o-1", "work_unit_id": "", "residence_area_code": "CY01001",
             "skills": "First Aid;law", "in_service": "是", "joined_on": "2005-07-01", "left_on": ""}
    member, errors = parse_member(cells)
    assert errors == [] and member.phone == "13912345678" and member.in_service and member.skills == ("first aid", "law")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    _, errors = parse_member({**cells, "id_number": wrong, "phone": "555", "left_on": "2000-01-01"})
    assert {e.column for e in errors} == {"id_number", "phone", "left_on"}
    assert all(wrong not in e.reason and "555" not in e.reason for e in errors)


def test_headers():
    assert check_header(SheetKind.UNITS, ["id", "name", "kind", "area_code", "headcount", "members_among_staff"]) == []
    errors = check_header(SheetKind.MEMBERS, ["id", "id", "nickname"])
    reasons = {(e.column, e.reason) for e in errors}
    assert ("nickname", "unknown column") in reasons and ("id", "column appears twice") in reasons
    assert ("id_number", "required column missing") in reasons


def test_chinese_headers_are_the_columns_and_aliases_are_one_per_header():
    given = ["单位名称", " 统一社会信用代码 ", "所在区域（代码）", "单位类型", "职工人数", "党员人数", "编号", "nickname"]
    assert canonical_header(SheetKind.UNITS, given) == ["name", "credit_code", "area_code", "kind", "headcount",
                                                        "members_among_staff", "id", "nickname"]
    assert canonical_header(SheetKind.UNITS, ["所在区域 (代码)"]) == canonical_header(SheetKind.UNITS, ["区域代码"])
    assert canonical_header(SheetKind.MEMBERS, ["身份证号", "是否在职", "所在党组织", "居住区域"]) == [
        "id_number", "in_service", "organization_id", "residence_area_code"]
    for kind in SheetKind:
        assert set(HEADERS_ZH[kind]) == set(COLUMNS[kind])
        labels = [label_key(label) for labels in HEADERS_ZH[kind].values() for label in labels]
        labels += [label_key(n.label) for n in NAME_COLUMNS[kind].values()]
        assert len(labels) == len(set(labels)), kind  # no header means two columns


def test_chinese_names_of_kinds_and_setup_modes_and_local_dates():
    unit, errors = parse_unit(unit_cells(kind="非公有制企业", size_class="大型"))
    assert errors == [] and unit.kind.value == "non_public_enterprise" and unit.size_class.value == "large"
    cells = {"id": "o-1", "name": "工委", "kind": "党委", "setup_mode": "街道(地区)工委", "area_code": "CY01",
             "parent_organization_id": "", "covered_unit_ids": "", "founded_on": "2008年7月1日", "dissolved_on": ""}
    org, errors = parse_organization(cells)
    assert errors == [] and org.setup_mode == SetupMode.WORKING_COMMITTEE and org.founded_on.isoformat() == "2008-07-01"
    _, errors = parse_organization({**cells, "setup_mode": "火星党组织", "founded_on": "2008/02/30"})
    assert {e.column for e in errors} == {"setup_mode", "founded_on"}


def test_unified_social_credit_codes_are_checked():
    for good in ("91350100M000100Y43", "91110000100006485k"):
        unit, errors = parse_unit(unit_cells(credit_code=good))
        assert errors == [] and unit.credit_code == good.upper()
    for bad in ("91350100M000100Y44", "91350100M000100YO3", "9135010"):  # check character, letter O, length
        _, errors = parse_unit(unit_cells(credit_code=bad))
        assert [e.column for e in errors] == ["credit_code"], bad


def test_booleans_in_chinese_and_english():
    number = with_check_digit("11010519800101123")
    cells = {"id": "m-1", "name": "王建国", "phone": "", "id_number": number, "organization_id": "o-1",
             "work_unit_id": "", "residence_area_code": "CY01001", "skills": "", "in_service": "否",
             "joined_on": "2005-07-01", "left_on": ""}
    for text, expected in (("是", True), ("否", False), ("Yes", True), ("no", False), ("1", True), ("0", False),
                           ("TRUE", True), ("false", False)):
        member, errors = parse_member({**cells, "in_service": text})
        assert errors == [] and member.in_service is expected, text
    _, errors = parse_member({**cells, "in_service": "也许"})
    assert [e.column for e in errors] == ["in_service"]


def test_a_chinese_export_row_reads_back():
    cells = {"id": "o-2", "name": "联合支部", "kind": "branch", "setup_mode": "joint", "area_code": "CY01",
             "parent_organization_id": "o-1", "covered_unit_ids": "u-1;u-2", "founded_on": "2008-07-01",
             "dissolved_on": ""}
    org, _ = parse_organization(cells)
    row = cells_of_organization(org)
    assert references(SheetKind.ORGANIZATIONS, row) == {("area", "CY01"), ("organization", "o-1"), ("unit", "u-1"),
                                                        ("unit", "u-2")}
    names = {("area", "CY01"): "朝外街道", ("organization", "o-1"): "非公工委", ("unit", "u-1"): "甲公司"}
    header = export_header(SheetKind.ORGANIZATIONS, zh=True)
    localized = dict(zip(header, localized_cells(SheetKind.ORGANIZATIONS, row, names), strict=True))
    assert localized["组织类别"] == "党支部" and localized["组建方式"] == "两个以上组织成立联合党组织"
    assert localized["所在区域名称"] == "朝外街道" and localized["上级党组织名称"] == "非公工委"
    assert localized["覆盖单位名称"] == "甲公司;"  # a unit the export may not name stays empty, in its place
    codes = canonical_header(SheetKind.ORGANIZATIONS, header)
    assert check_header(SheetKind.ORGANIZATIONS, codes) == []
    again, errors = parse_organization(dict(zip(codes, localized.values(), strict=True)))
    assert errors == [] and again == org
