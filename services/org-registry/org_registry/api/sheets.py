"""/api/v1/imports and /api/v1/exports: units, organizations and members as CSV or XLSX, with English
column codes or Chinese headers; and /api/v1/imports/{kind}/template, an XLSX to fill in.

Uploads are the raw file as the body (`Content-Type: text/csv` or the XLSX media type, or `?format=`),
up to the platform's 1 MiB request limit (about 10,000 rows); larger sheets go through the operator
CLI (`yizhou org-registry import`), which streams any size with a progress bar.
"""

from __future__ import annotations

import io
import tempfile
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from org_registry.api.parameters import Under
from org_registry.api.responses import PROBLEMS
from org_registry.domain.sheet_rows import SheetKind, column_label, export_header
from org_registry.settings import Settings
from org_registry.sheets import (MEDIA_TYPES, SheetFormat, UnreadableSheet, XlsxWriter, csv_header, csv_line, format_of,
                                 write_template)
from org_registry.upload_worker import UploadLimits, upload_worker
from org_registry.use_cases.access import require_editor
from org_registry.use_cases.exports import export_path, export_rows
from org_registry.use_cases.imports import ImportReport, import_sheet, import_template
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.problems import Problem, register_problem

router = APIRouter(tags=["import and export"])
register_problem("unreadable-sheet", 422, "The file is not a readable CSV or XLSX sheet")
register_problem("import-rejected", 422, "Some rows are bad; nothing was written")

UPLOAD = {"requestBody": {"required": True, "content": {
    MEDIA_TYPES[SheetFormat.CSV]: {"schema": {"type": "string"}, "example":
                                   "id,name,kind,size_class,area_code,headcount,members_among_staff,credit_code\n"
                                   "u-1001,Jianwai Soho Property Co.,non_public_enterprise,large,CY01001,320,14,\n"},
    MEDIA_TYPES[SheetFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}}}}}


class RowErrorOut(BaseModel):
    row: int = Field(description="Row number in the sheet (the header is row 1)")
    column: str | None = Field(description="The column's code (whatever header the sheet used)")
    column_label: str | None = Field(None, description="The column's Chinese header, e.g. 统一社会信用代码")
    reason: str


class ImportReportOut(BaseModel):
    kind: SheetKind
    dry_run: bool
    rows: int = Field(description="Data rows read")
    bad_rows: int
    written: int = Field(description="Records written (0 in a dry run or a rejected real run)")
    errors: list[RowErrorOut]


def report_out(report: ImportReport) -> ImportReportOut:
    return ImportReportOut(kind=report.kind, dry_run=report.dry_run, rows=report.rows, bad_rows=report.bad_rows,
                           written=report.written,
                           errors=[RowErrorOut(row=e.row, column=e.column, reason=e.reason,
                                               column_label=column_label(report.kind, e.column))
                                   for e in report.errors])


class HeaderLanguage(StrEnum):
    EN = "en"  # the column codes: what scripts and round trips read
    ZH = "zh"  # Chinese headers, Chinese names for codes, 是/否, and names beside ids


# An upload is at most 1 MiB (BodySizeLimitMiddleware); its XLSX may unpack to this much.
UPLOAD_MAX_UNPACKED = 32 << 20


def _limits(settings: Settings) -> UploadLimits:
    return UploadLimits(timeout_s=settings.upload_parse_timeout_s, memory_mib=settings.upload_parse_memory_mib,
                        max_rows=settings.upload_max_rows, max_unpacked=UPLOAD_MAX_UNPACKED)


@router.post("/api/v1/imports/{kind}", response_model=ImportReportOut, openapi_extra=UPLOAD,
             responses={**PROBLEMS, 201: {"description": "Every row written (real run)"},
                        413: {"description": "Larger than 1 MiB: use `yizhou org-registry import`"},
                        415: {"description": "Neither CSV nor XLSX"}},
             summary="Import a sheet: `dry_run=true` reports every bad row (row, column, reason) and writes nothing; "
                     "a real run writes all rows or, if any is bad, none (422 `import-rejected` with the rows)")
async def import_upload(kind: SheetKind, request: Request, db: DatabaseDep, scope: ScopeDep, dry_run: bool = True,
                        format: SheetFormat | None = None):  # noqa: A002  (the query parameter's public name)
    require_editor(scope)
    fmt = format or format_of(request.headers.get("content-type", ""))
    if fmt is None:
        raise Problem("unsupported-media-type", "Send text/csv or an XLSX workbook (or say `?format=csv|xlsx`).")
    body = await request.body()
    if not body:
        raise Problem("unreadable-sheet", "The body is empty.")

    settings: Settings = request.app.state.settings
    try:  # parsed once, in a worker process with limits (org_registry.upload_worker)
        header, rows = await upload_worker(settings.upload_parse_workers).parse(body, fmt, _limits(settings))
    except UnreadableSheet as exc:
        raise Problem("unreadable-sheet", str(exc)) from None
    report = await import_sheet(db, scope, kind, lambda: (header, iter(rows)), dry_run=dry_run)
    out = report_out(report)
    if not dry_run and report.errors:
        raise Problem("import-rejected", f"{out.bad_rows} of {out.rows} row(s) are bad; nothing was written.",
                      **out.model_dump(mode="json"))
    return JSONResponse(out.model_dump(mode="json"), status_code=200 if dry_run else 201)


@router.get("/api/v1/imports/{kind}/template", responses={**PROBLEMS, 200: {
                "content": {MEDIA_TYPES[SheetFormat.XLSX]: {}}, "description": "The template"}},
            response_class=Response,
            summary="An XLSX template for the import: Chinese headers (the column code in each header's comment), "
                    "drop-down lists for kinds, setup modes and 是/否, and one example row in your area; staff only")
async def import_template_sheet(kind: SheetKind, scope: ScopeDep) -> Response:
    columns, example = import_template(scope, kind)
    buffer = io.BytesIO()
    write_template(buffer, columns, example)
    return Response(buffer.getvalue(), media_type=MEDIA_TYPES[SheetFormat.XLSX], headers={
        "Content-Disposition": f'attachment; filename="{kind.value}-template.xlsx"'})


@router.get("/api/v1/exports/{kind}", responses={**PROBLEMS, 200: {"content": {m: {} for m in MEDIA_TYPES.values()},
                                                                     "description": "The sheet"}},
            response_class=StreamingResponse,
            summary="Export the records located in your area (or `under`) in the import columns; staff only "
                    "(members' personal data is included). `headers=zh`: Chinese headers and names beside ids "
                    "(it re-imports too)")
async def export(kind: SheetKind, db: DatabaseDep, scope: ScopeDep, under: Under = None,
                 format: Annotated[SheetFormat, Query()] = SheetFormat.CSV,  # noqa: A002
                 header_language: Annotated[HeaderLanguage, Query(alias="headers")] = HeaderLanguage.EN):
    path = await export_path(db, scope, under)
    zh = header_language == HeaderLanguage.ZH
    headers = {"Content-Disposition": f'attachment; filename="{kind.value}.{format.value}"'}
    if format == SheetFormat.CSV:
        async def lines():
            yield csv_header(export_header(kind, zh))
            async for row in export_rows(db, path, kind, zh):
                yield csv_line(row)

        return StreamingResponse(lines(), media_type=MEDIA_TYPES[format], headers=headers)
    writer = XlsxWriter(export_header(kind, zh))
    async for row in export_rows(db, path, kind, zh):
        writer.append(row)
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    writer.save(spool)
    spool.seek(0)

    def chunks():
        with spool:
            yield from iter(lambda: spool.read(1 << 16), b"")

    return StreamingResponse(chunks(), media_type=MEDIA_TYPES[format], headers=headers)
