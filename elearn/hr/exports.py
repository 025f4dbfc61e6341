"""The people list as CSV and XLSX, with every text cell safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from elearn.content.model import Content
from elearn.hr.completion import PersonCompletion, without_cyclic_gc
from elearn.models import ROLE_LABELS, Role

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("Name", "Email", "School", "Roles", "Job title", "Tracks", "Status",
          "Policy acknowledged", "Last activity", "Best score (%)", "Certificates")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will never run as a formula (OWASP: CSV injection): a value that
    begins with = + - @ tab or carriage return is prefixed with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def row_values(row: PersonCompletion, titles: dict[str, str]) -> list[str | int | None]:
    tracks = "; ".join(f"{titles.get(t, t)}: {state}" for t, state in row.tracks)
    certificates = "; ".join(
        c.code + (" (revoked)" if c.revoked else "") for c in row.certificates)
    return [row.name, row.email, row.school_name,
            "; ".join(ROLE_LABELS[Role(r)] for r in row.roles), row.job_title or "", tracks,
            row.status_text,
            row.acknowledged_at.strftime("%Y-%m-%d %H:%M") if row.acknowledged_at else "no",
            row.last_activity.strftime("%Y-%m-%d %H:%M") if row.last_activity else "",
            row.best_percent, certificates]


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
        writer.writerow([safe_cell(v) if isinstance(v, str) else ("" if v is None else v)
                         for v in row_values(row, titles)])
    return buffer.getvalue().encode("utf-8-sig")


@without_cyclic_gc
def to_xlsx(rows: Iterable[PersonCompletion], content: Content,
            title: str = "People") -> bytes:
    """One sheet; text cells are set as explicit strings, never formulas."""
    titles = _titles(content)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(_cells(sheet, HEADER))
    for row in rows:
        sheet.append(_cells(sheet, row_values(row, titles)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(sheet, values: Sequence[str | int | None]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        if isinstance(value, str):
            # Control characters cannot be stored in XLSX at all; they are dropped.
            cell.value = safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        else:
            cell.value = value
        cells.append(cell)
    return cells
