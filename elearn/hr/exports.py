"""The people list as CSV and XLSX, with every text cell safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from elearn.certification.codes import display as certificate_number
from elearn.content.model import Content
from elearn.hr.completion import PersonCompletion, without_cyclic_gc
from elearn.models import ROLE_LABELS, Role
from elearn.wording import slug

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("Name", "Email", "School", "Roles", "Job title", "Tracks", "Status",
          "Policy acknowledged", "Last activity", "Best score (%)", "Certificates")
# Column widths in the XLSX, in characters, in HEADER's order.
WIDTHS = (28, 34, 30, 22, 24, 44, 14, 20, 18, 15, 34)
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_DATE_TIME = "%Y-%m-%d %H:%M"

Value = str | int | datetime | None


def export_filename(kind: str, place: str | None, review_date: date, today: date) -> str:
    """training-completion-<school or trust>-cycle-to-<review date>-on-<today>.<kind>: whose
    list it is, the review cycle it belongs to (by its review date) and the day it was made."""
    return (f"training-completion-{slug(place) if place else 'trust'}-cycle-to-"
            f"{review_date.isoformat()}-on-{today.isoformat()}.{kind}")


def _naive_utc(value: datetime) -> datetime:
    """Spreadsheets hold no time zone: times are written in UTC, as in the CSV."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def safe_cell(value: str) -> str:
    """Text a spreadsheet will never run as a formula (OWASP: CSV injection): a value that
    begins with = + - @ tab or carriage return is prefixed with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def row_values(row: PersonCompletion, titles: dict[str, str]) -> list[Value]:
    """One person's cells; times as datetimes (UTC, no time zone), certificate numbers as
    printed on the certificates (with hyphens)."""
    tracks = "; ".join(f"{titles.get(t, t)}: {state}" for t, state in row.tracks)
    certificates = "; ".join(
        certificate_number(c.code) + (" (revoked)" if c.revoked else "")
        for c in row.certificates)
    return [row.name, row.email, row.school_name,
            "; ".join(ROLE_LABELS[Role(r)] for r in row.roles), row.job_title or "", tracks,
            row.status_text,
            _naive_utc(row.acknowledged_at) if row.acknowledged_at else "no",
            _naive_utc(row.last_activity) if row.last_activity else None,
            row.best_percent, certificates]


def _csv_value(value: Value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_DATE_TIME)
    return safe_cell(value) if isinstance(value, str) else value


def _titles(content: Content) -> dict[str, str]:
    return {t.id: t.title for t in content.tracks}


@without_cyclic_gc
def to_csv(rows: Iterable[PersonCompletion], content: Content) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads names with accents correctly."""
    titles = _titles(content)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row_values(row, titles)])
    return buffer.getvalue().encode("utf-8-sig")


@without_cyclic_gc
def to_xlsx(rows: Iterable[PersonCompletion], content: Content,
            title: str = "People") -> bytes:
    """One sheet; text cells are set as explicit strings, never formulas; times are date
    cells. The header row is frozen and filters every column."""
    titles = _titles(content)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    # A write-only sheet writes its views and columns before the first row.
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(_cells(sheet, HEADER))
    count = 0
    for row in rows:
        sheet.append(_cells(sheet, row_values(row, titles)))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(sheet, values: Sequence[Value]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        if isinstance(value, str):
            # Control characters cannot be stored in XLSX at all; they are dropped.
            cell.value = safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        elif isinstance(value, datetime):
            cell.value = value
            cell.number_format = DATE_TIME_FORMAT
        else:
            cell.value = value
        cells.append(cell)
    return cells
