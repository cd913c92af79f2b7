"""Reading one row of an import sheet: every error of the row is collected with its column."""

from org_registry.domain.member import with_check_digit
from org_registry.domain.organization import SetupMode
from org_registry.domain.sheet_rows import SheetKind, check_header, parse_member, parse_organization, parse_unit


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
