"""Reading an uploaded CSV or XLSX into rows, defensively: size and row limits checked before
everything is read, encodings and byte-order marks handled, and every way a file can be wrong
turned into one clear sentence (ImportFileError) instead of an exception page."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

CSV_CONTENT_TYPES = ("text/csv", "text/plain", "application/vnd.ms-excel")
# Cells spreadsheets would execute; "+" and "-" are left alone (phone numbers, negatives).
FORMULA_STARTS = ("=", "@")
NEUTRALISED_STARTS = ("'=", "'+", "'-", "'@")
SNIFF_BYTES = 64 * 1024
MAX_XLSX_UNCOMPRESSED = 400 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file's line (row) number of each row
    warnings: list[str] = field(default_factory=list)
    row_count: int = 0


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def file_format(filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise ImportFileError("Upload a .csv or .xlsx file (Excel workbook).")


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def read_table(data: bytes, filename: str, *, header_only: bool = False) -> Table:
    """Parse ``data``; with ``header_only`` stop after the header and a row count."""
    if len(data) > max_bytes():
        raise ImportFileError(
            f"The file is {human_size(len(data))}; the limit is {human_size(max_bytes())}. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    kind = file_format(filename)
    table = read_xlsx(data, header_only) if kind == "xlsx" else read_csv(data, header_only)
    if not any(header.strip() for header in table.headers):
        raise ImportFileError("The first row must hold the column names; it is empty.")
    if not header_only and not table.rows:
        raise ImportFileError("The file has column names but no rows to import.")
    return table


def decode(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 (with or without a byte-order mark), UTF-16 with a BOM, else Windows-1252 with a
    warning. Binary files are refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as error:
            raise ImportFileError(
                "The file says it is UTF-16 but is not readable as such."
            ) from error
    head = data[:SNIFF_BYTES]
    if b"\x00" in head or data.startswith(
        (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xd0\xcf\x11\xe0")
    ):
        raise ImportFileError(
            "This is not a CSV text file. Upload a .csv saved as “CSV UTF-8”, or an .xlsx workbook."
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        text = data.decode("latin-1")
    return text, [
        "The file is not UTF-8; it was read as Western European (Windows-1252 / Latin-1). "
        "If accented letters look wrong below, save it as “CSV UTF-8” and upload it again."
    ]


def read_csv(data: bytes, header_only: bool) -> Table:
    text, warnings = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    limit = max_rows()
    try:
        headers = next(reader, None)
        if headers is None:
            raise ImportFileError("The file is empty.")
        table = Table(headers=[h.strip() for h in headers], warnings=warnings)
        previous_line = reader.line_num
        count = 0
        for row in reader:
            line, previous_line = previous_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > limit:
                raise too_many_rows(limit)
            if not header_only:
                table.rows.append(row)
                table.lines.append(line)
    except csv.Error as error:
        raise ImportFileError(
            f"The CSV file is damaged near line {reader.line_num}: {error}."
        ) from None
    table.row_count = count
    return table


def too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        f"The file has more than {limit:,} rows, the most one import takes. Split it into "
        "smaller files."
    )


def read_xlsx(data: bytes, header_only: bool) -> Table:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise ImportFileError(
            "This is not a valid .xlsx workbook (the file is damaged or is another format). "
            "Open it in your spreadsheet program and save it as .xlsx or CSV UTF-8."
        ) from error
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise ImportFileError("The workbook unpacks to too much data; save it as CSV instead.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for broken workbooks
        raise ImportFileError(
            "This .xlsx workbook could not be read. Open it in your spreadsheet program and "
            "save it again, or save it as CSV UTF-8."
        ) from error
    try:
        sheet = workbook.worksheets[0]
        limit = max_rows()
        declared = sheet.max_row or 0
        if declared and declared - 1 > limit * 2:
            raise too_many_rows(limit)
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None:
            raise ImportFileError("The workbook's first sheet is empty.")
        table = Table(headers=["" if h is None else str(h).strip() for h in headers])
        count = 0
        for line, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            count += 1
            if count > limit:
                raise too_many_rows(limit)
            if not header_only:
                table.rows.append(list(row))
                table.lines.append(line)
        table.row_count = count
        return table
    finally:
        workbook.close()


def unneutralise(value):
    """Our exports write '=… for a cell starting with =, +, -, @; read it back as typed."""
    if isinstance(value, str) and value.startswith(NEUTRALISED_STARTS):
        return value[1:]
    return value
