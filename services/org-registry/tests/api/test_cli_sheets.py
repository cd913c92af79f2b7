"""The operator CLI (`yizhou org-registry import|export`) on the service's database: streams a sheet
larger than one chunk, reports the bad row, writes nothing until the sheet is clean, exports it back
(also with Chinese headers), and writes the import templates."""

import asyncio
import csv

from openpyxl import load_workbook
from typer.testing import CliRunner

from org_registry.cli import app

HEADER = ["id", "name", "kind", "size_class", "area_code", "headcount", "members_among_staff", "credit_code"]


def write_units(path, d: str, area: str, count: int, bad_row: int | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(count):
            sheet_row = i + 2
            kind = "non_public_enterprise" if sheet_row != bad_row else "volcano"
            writer.writerow([f"{d}-cli-{i:05d}", f"企业 {i:05d}", kind, "small", area, 10, i % 3, ""])


async def test_cli_import_streams_reports_and_exports(client, district, service_env, monkeypatch, tmp_path):
    """The CLI runs in a worker thread (its own event loop), as it would beside a running service: the
    app's relay and consumers keep running on the test's loop meanwhile."""
    for key, value in service_env.items():
        monkeypatch.setenv(key, value)
    d, area = district["code"], district["c1"]
    runner = CliRunner()
    sheet, report = tmp_path / "units.csv", tmp_path / "bad.csv"
    write_units(sheet, d, area, 2500, bad_row=2400)

    result = await asyncio.to_thread(runner.invoke, app, ["import", "units", str(sheet), "--area", d, "--report", str(report)])
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["row"], r["column"]) for r in rows] == [("2400", "kind")]

    export = tmp_path / "out.csv"
    assert (await asyncio.to_thread(runner.invoke, app, ["export", "units", str(export), "--area", d])).exit_code == 0
    assert len(export.read_text(encoding="utf-8-sig").splitlines()) == 1  # header only: nothing was written

    write_units(sheet, d, area, 2500)
    assert (await asyncio.to_thread(runner.invoke, app, ["import", "units", str(sheet), "--area", d, "--dry-run"])).exit_code == 0
    result = await asyncio.to_thread(runner.invoke, app, ["import", "units", str(sheet), "--area", d])
    assert result.exit_code == 0, result.output
    assert "wrote 2500 units" in result.output

    workbook = tmp_path / "out.xlsx"
    result = await asyncio.to_thread(runner.invoke, app, ["export", "units", str(workbook), "--area", d])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(workbook, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 2501
    assert rows[1][0] == f"{d}-cli-00000" and rows[1][1] == "企业 00000"
    assert (await asyncio.to_thread(runner.invoke, app, ["import", "units", str(sheet), "--area", "NO-SUCH-AREA"])).exit_code != 0

    chinese = tmp_path / "zh.csv"
    result = await asyncio.to_thread(runner.invoke, app, ["export", "units", str(chinese), "--area", d, "--headers", "zh"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(chinese.open(encoding="utf-8-sig")))
    assert len(rows) == 2500 and (rows[0]["单位类型"], rows[0]["所在区域名称"]) == ("非公有制企业", "Elm Community")


def test_cli_writes_the_import_template(tmp_path):
    target = tmp_path / "members-template.xlsx"
    result = CliRunner().invoke(app, ["template", "members", str(target), "--area", "CY01"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["党员编号", "姓名", "手机号", "身份证号"]
    assert sheet["G2"].value == "CY01" and len(sheet.data_validations.dataValidation) == 1
