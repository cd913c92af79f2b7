"""CSV and XLSX files of registry rows, read and written as streams (openpyxl read-only / write-only
mode), so 100k-row sheets never sit in memory as a workbook.

A sheet comes from outside, so reading it is bounded: an XLSX is a zip archive whose central directory
is checked before anything is unpacked (entries, total unpacked size, compression ratio: a 19 KB
"decompression bomb" once unpacked to hundreds of MB), and no row is read wider than the header. A
sheet goes out to spreadsheet programs, so writing it neutralises formulas (OWASP CSV injection): a
text cell that starts with = + - @ or a tab or CR gets a leading apostrophe in CSV, and XLSX cells are
written as strings, never formulas; reading strips that apostrophe again, so a round trip keeps the text.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from org_registry.domain.sheet_rows import TemplateColumn


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {SheetFormat.CSV: "text/csv", SheetFormat.XLSX:
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class UnreadableSheet(ValueError):
    """The file is not a CSV/XLSX we can read (a file-level error, not a bad row)."""


# What an XLSX may unpack to. A real registry sheet is a few dozen entries and compresses about ten
# to one; an archive past these limits is refused before it is unpacked.
MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNPACKED = 256 << 20
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE = 1 << 20  # small entries compress as they like
MAX_COLUMNS = 200  # read of a header row; data rows are read no wider than their header (+1: extra cells)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_archive(stream: IO[bytes], max_unpacked: int = MAX_XLSX_UNPACKED) -> None:
    """Refuses an XLSX whose zip directory promises too much (read without unpacking anything)."""
    try:
        entries = zipfile.ZipFile(stream).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableSheet(f"not an XLSX workbook: {type(exc).__name__}") from None
    finally:
        stream.seek(0)
    if len(entries) > MAX_XLSX_ENTRIES:
        raise UnreadableSheet(f"the workbook has {len(entries)} parts; at most {MAX_XLSX_ENTRIES} are read")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > max_unpacked:
        raise UnreadableSheet(f"the workbook unpacks to {unpacked >> 20} MiB; at most {max_unpacked >> 20} MiB "
                              "are read (split it, or send CSV)")
    for e in entries:
        if e.file_size > RATIO_CHECKED_ABOVE and e.file_size > MAX_COMPRESSION_RATIO * max(e.compress_size, 1):
            raise UnreadableSheet(f"the workbook part {e.filename!r} is packed {e.file_size // max(e.compress_size, 1)}"
                                  f" to one; a sheet is never packed that tightly (a decompression bomb?)")


def neutralised(text: str) -> str:
    """A cell's text as a spreadsheet program shows it and never runs it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _unneutralised(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def format_of(name_or_media_type: str) -> SheetFormat | None:
    value = name_or_media_type.lower().split(";")[0].strip()
    for fmt, media in MEDIA_TYPES.items():
        if value == media or value.endswith("." + fmt.value) or value == fmt.value:
            return fmt
    if value in ("application/csv", "text/plain"):
        return SheetFormat.CSV
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(stream: IO[bytes], fmt: SheetFormat, max_unpacked: int = MAX_XLSX_UNPACKED,
              ) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and an iterator of (sheet row number, {column: text}); the header is row 1 and
    blank rows are skipped (their numbers too, so reports point at the right line)."""
    if fmt == SheetFormat.CSV:
        return _read_csv(stream)
    return _read_xlsx(stream, max_unpacked)


def _read_csv(stream: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    text = codecs.getreader("utf-8-sig")(stream, errors="strict")
    reader = csv.reader(text)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableSheet(f"not a UTF-8 CSV file: {exc}") from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(c.strip() for c in cells):
                    cells = [_unneutralised(c) for c in cells]
                    yield number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)) | (
                        {"__extra__": "x"} if len(cells) > len(header) and any(c.strip() for c in cells[len(header):])
                        else {})
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableSheet(f"row {number + 1} could not be read: {exc}") from None

    return header, rows()


def _read_xlsx(stream: IO[bytes], max_unpacked: int) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    check_archive(stream, max_unpacked)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        header = [_text(h).strip().lower() for h in next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS,
                                                                          values_only=True), ())]
        while header and not header[-1]:
            header.pop()
        iterator = sheet.iter_rows(min_row=2, max_col=len(header) + 1, values_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableSheet(f"not an XLSX workbook: {type(exc).__name__}") from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, cells in enumerate(iterator, start=2):
                texts = [_unneutralised(_text(c)) for c in cells]
                if any(t.strip() for t in texts):
                    extra = any(t.strip() for t in texts[len(header):])
                    yield number, dict(zip(header, texts, strict=False)) | ({"__extra__": "x"} if extra else {})
        finally:
            workbook.close()

    return header, rows()


def count_rows(stream: IO[bytes], fmt: SheetFormat) -> int | None:
    """Data rows, for a progress bar's total (XLSX: the sheet's declared size)."""
    if fmt == SheetFormat.CSV:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")) - 1)
    try:
        check_archive(stream)
        workbook = load_workbook(stream, read_only=True)
        rows = workbook.worksheets[0].max_row
        workbook.close()
        return max(0, (rows or 1) - 1)
    except Exception:
        return None


def csv_line(cells: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralised(_text(c)) for c in cells])
    return buffer.getvalue().encode()


def csv_header(header: list[str]) -> bytes:
    """The first line, after a UTF-8 BOM so spreadsheet programs read Chinese correctly."""
    return codecs.BOM_UTF8 + csv_line(header)


class XlsxWriter:
    """A write-only workbook filled row by row and saved once at the end."""

    def __init__(self, header: list[str]) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("registry")
        self.sheet.append(header)

    def append(self, cells: list[Any]) -> None:
        # Text cells: ids and ID numbers must not turn into numbers, nor "=..." into a formula.
        self.sheet.append([self._text_cell(_text(c)) for c in cells])

    def _text_cell(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.data_type = "s"
        return cell

    def save(self, target: IO[bytes]) -> None:
        self.workbook.save(target)


def write_xlsx(target: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    writer = XlsxWriter(header)
    for row in rows:
        writer.append(row)
    writer.save(target)


TEMPLATE_ROWS = 10_000  # rows of the template that get the drop-down lists
CHOICES_SHEET = "选项"


def write_template(target: IO[bytes], columns: list[TemplateColumn], example: list[str]) -> None:
    """An import template: Chinese headers (each with its English code in a comment, required ones in
    bold), one example row, and drop-down lists on the enum columns. The lists sit on a hidden second
    sheet (an inline list is limited to 255 characters); an import reads the first sheet only."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入"
    choices = workbook.create_sheet(CHOICES_SHEET)
    choices.sheet_state = "hidden"
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    lists = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=column.label)
        head.comment = Comment(f"{column.column}{'（必填）' if column.required else ''}", "yizhou")
        if column.required:
            head.font, head.fill = Font(bold=True), required_fill
        sheet.column_dimensions[letter].width = max(12, 2 * len(column.label) + 4)
        if column.choices:
            lists += 1
            list_letter = get_column_letter(lists)
            for row, choice in enumerate(column.choices, start=1):
                choices.cell(row=row, column=lists, value=choice)
            source = f"'{CHOICES_SHEET}'!${list_letter}$1:${list_letter}${len(column.choices)}"
            validation = DataValidation(type="list", formula1=source, allow_blank=not column.required,
                                        showErrorMessage=True, errorTitle=column.label, error="请从下拉列表中选择")
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    for index, value in enumerate(example, start=1):
        cell = sheet.cell(row=2, column=index, value=neutralised(value))
        cell.data_type = "s"  # ids, codes and ID numbers stay text
    sheet.freeze_panes = "A2"
    workbook.save(target)
