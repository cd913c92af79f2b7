"""CSV and XLSX files of registry rows, read and written as streams (openpyxl read-only / write-only
mode), so 100k-row sheets never sit in memory as a workbook."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import IO, Any

from openpyxl import Workbook, load_workbook


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {SheetFormat.CSV: "text/csv", SheetFormat.XLSX:
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class UnreadableSheet(ValueError):
    """The file is not a CSV/XLSX we can read (a file-level error, not a bad row)."""


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


def read_rows(stream: IO[bytes], fmt: SheetFormat) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and an iterator of (sheet row number, {column: text}); the header is row 1 and
    blank rows are skipped (their numbers too, so reports point at the right line)."""
    if fmt == SheetFormat.CSV:
        return _read_csv(stream)
    return _read_xlsx(stream)


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
                    yield number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)) | (
                        {"__extra__": "x"} if len(cells) > len(header) and any(c.strip() for c in cells[len(header):])
                        else {})
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableSheet(f"row {number + 1} could not be read: {exc}") from None

    return header, rows()


def _read_xlsx(stream: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = [_text(h).strip().lower() for h in next(iterator, ())]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableSheet(f"not an XLSX workbook: {type(exc).__name__}") from None
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, cells in enumerate(iterator, start=2):
                texts = [_text(c) for c in cells]
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
        workbook = load_workbook(stream, read_only=True)
        rows = workbook.worksheets[0].max_row
        workbook.close()
        return max(0, (rows or 1) - 1)
    except Exception:
        return None


def csv_line(cells: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_text(c) for c in cells])
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
        self.sheet.append([_text(c) for c in cells])  # text cells: ids and ID numbers must not turn into numbers

    def save(self, target: IO[bytes]) -> None:
        self.workbook.save(target)


def write_xlsx(target: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    writer = XlsxWriter(header)
    for row in rows:
        writer.append(row)
    writer.save(target)
