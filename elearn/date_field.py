"""A date as three boxes, day, month and year (the GOV.UK date pattern).

Native date inputs show `mm/dd/yyyy` in some browsers and locales, which a UK reader misreads;
three labelled number boxes read the same everywhere. The field also accepts the date as one
ISO value under its own name (the preview page sends the checked date back that way).
"""

from __future__ import annotations

from datetime import date

from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

PARTS = ("day", "month", "year")


class DayMonthYearField(Field):
    """`data` is a date or None; `parts` holds what was typed, to show it again."""

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = self.data = data
        self.parts = dict.fromkeys(PARTS, "")
        if isinstance(data, date):
            self.parts = {"day": str(data.day), "month": str(data.month),
                          "year": str(data.year)}
        if formdata is None:
            return
        if formdata.get(self.name):
            self._from_iso(formdata.get(self.name))
        elif any(f"{self.name}-{part}" in formdata for part in PARTS):
            self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()
                          for part in PARTS}
            self.data = self._from_parts()
        else:
            self.data = None

    def _from_iso(self, value: str) -> None:
        try:
            self.data = date.fromisoformat(value.strip())
        except ValueError:
            self.data = None
            self.process_errors.append(f"{self.label.text} must be a real date.")
            return
        self.parts = {"day": str(self.data.day), "month": str(self.data.month),
                      "year": str(self.data.year)}

    def _from_parts(self) -> date | None:
        given = [part for part in PARTS if self.parts[part]]
        if not given:
            return None  # DataRequired says what is missing
        missing = [part for part in PARTS if not self.parts[part]]
        if missing:
            self.process_errors.append(
                f"{self.label.text} must include a {' and a '.join(missing)}.")
            return None
        if not all(self.parts[p].isdigit() for p in PARTS) or len(self.parts["year"]) != 4:
            self.process_errors.append(
                f"{self.label.text} must be a real date, for example 25 11 2026.")
            return None
        try:
            return date(int(self.parts["year"]), int(self.parts["month"]),
                        int(self.parts["day"]))
        except ValueError:
            self.process_errors.append(
                f"{self.label.text} must be a real date, for example 25 11 2026.")
            return None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()  # the problem is said once, not again by DataRequired

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, date) else ""
