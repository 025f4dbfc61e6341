"""Reading a staff CSV as spreadsheets save it: encoding, header names, rows. No Flask."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from elearn.people.rules import PersonError

COLUMNS = ("name", "email", "school", "roles", "job_title")
REQUIRED = ("name", "email", "school", "roles")
HEADER_ALIASES = {"role": "roles", "job title": "job_title", "jobtitle": "job_title",
                  "email address": "email", "e-mail": "email", "full name": "name"}


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


def decode(data: bytes) -> str:
    """The file's text; spreadsheets' 'CSV UTF-8' starts with a byte-order mark, dropped here."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PersonError("The file is not UTF-8 text. In Excel choose File › Save As › "
                          "'CSV UTF-8 (Comma delimited)' and upload that file.") from exc


def _header_key(raw: str) -> str:
    key = " ".join(raw.strip().lower().replace("_", " ").split())
    key = HEADER_ALIASES.get(key, key)
    return key.replace(" ", "_")


def split_roles(raw: str) -> list[str]:
    """The roles of one cell. ";" is the separator to use; a comma also works when the
    value is quoted ("staff, leader"), as a spreadsheet saves it, so such files still import.
    An unquoted comma starts a new column."""
    return [part for part in re.split(r"[;,]", raw) if part.strip()]


# The most people one file may hold: the whole Trust several times over, and a preview that
# stays well within the server's 30 seconds. A larger file is refused before any row is
# checked, so nothing is half-done.
MAX_ROWS = 20_000
TOO_MANY_ROWS = (f"The file lists more than {MAX_ROWS:,} people; an import takes at most "
                 f"{MAX_ROWS:,} people. Split the file by school and import each part.")

SEMICOLON_FILE = ("This file uses semicolons between columns; save it as CSV with commas "
                  "(in Excel: CSV UTF-8).")


def uses_semicolons(header: Sequence[str]) -> bool:
    """Whether a header read with commas is really the columns separated by semicolons, as
    spreadsheets set to some European regions save "CSV". Such files are refused, not
    guessed at: ";" also separates roles, so an unquoted "staff;leader" in them would be
    read as two columns."""
    keys = {_header_key(part) for cell in header for part in cell.split(";")}
    return any(";" in cell for cell in header) and all(c in keys for c in REQUIRED)


def read_rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], bool, list[RowError]]:
    """(line number, values by column) for each data row, whether a job title column is
    present, and file-level problems."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], False, [RowError(None, "The file is empty.")]
    except csv.Error as exc:
        return [], False, [RowError(1, f"The header cannot be read as CSV: {exc}.")]
    keys = [_header_key(h) for h in header]
    missing = [c for c in REQUIRED if c not in keys]
    if missing and uses_semicolons(header):
        return [], False, [RowError(1, SEMICOLON_FILE)]
    if missing:
        return [], False, [RowError(1, "The first line must name the columns name, email, "
                                       "school, roles (and optionally job_title); missing: "
                                       + ", ".join(missing) + ".")]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, f"this line cannot be read as CSV: {exc}."))
            break
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are allowed
        if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
            errors.append(RowError(start, f"it has {len(values)} values but the header names "
                                          f"{len(keys)} columns (a comma inside a value "
                                          "needs quotes)."))
            continue
        if len(rows) == MAX_ROWS:
            return [], "job_title" in keys, [RowError(None, TOO_MANY_ROWS)]
        record = {k: (values[i].strip() if i < len(values) else "")
                  for i, k in enumerate(keys) if k in COLUMNS}
        rows.append((start, record))
    if not rows and not errors:
        errors.append(RowError(None, "The file has a header but no people."))
    return rows, "job_title" in keys, errors
