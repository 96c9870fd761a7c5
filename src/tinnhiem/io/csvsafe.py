"""CSV outputs that are safe to open in a spreadsheet (OWASP "CSV injection").

A text field that starts with = + - @, a tab or a carriage return can be run as a formula by
Excel or LibreOffice when someone opens the file (`=HYPERLINK(...)`, `@SUM(...)`, DDE). Such a
field is written with a leading apostrophe, which spreadsheets show as text and never evaluate.
Numbers stay numbers: only text is changed. Files are UTF-8 with a BOM (so that Excel reads the
Vietnamese letters) and are written through a temporary file and a rename."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from tinnhiem.io.atomic import write_bytes

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value as it should be written: text starting with a trigger gets a leading apostrophe.

    Text is also checked after leading spaces and quotes, which spreadsheets skip."""
    if not isinstance(value, str):
        return value
    if value.startswith(TRIGGERS) or value.lstrip(" \"'").startswith(("=", "+", "@")) and not value.startswith("'"):
        return "'" + value
    return value


def cell(value) -> object:
    """One field: dates as dd/mm/yyyy, None as empty, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def to_text(header: Sequence[str], rows: Iterable[Sequence], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence], delimiter: str = ",") -> None:
    """Write a safe CSV file atomically (UTF-8 with BOM)."""
    write_bytes(Path(target), ("\ufeff" + to_text(header, rows, delimiter)).encode("utf-8"))
