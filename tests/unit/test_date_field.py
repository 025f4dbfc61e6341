"""The day/month/year date field (GOV.UK date pattern) of the review form."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import DataRequired

from elearn.date_field import DayMonthYearField


class _Form(Form):
    when = DayMonthYearField("Review date", validators=[DataRequired("Enter the date.")])


def _form(**data) -> _Form:
    form = _Form(formdata=MultiDict(data))
    form.validate()
    return form


def test_three_boxes_make_a_date():
    form = _form(**{"when-day": "5", "when-month": "11", "when-year": "2026"})
    assert form.when.data == date(2026, 11, 5) and not form.errors


def test_the_iso_value_sent_back_by_the_preview_is_accepted():
    form = _form(when="2026-11-05")
    assert form.when.data == date(2026, 11, 5)
    assert form.when.parts == {"day": "5", "month": "11", "year": "2026"}


@pytest.mark.parametrize(("parts", "message"), [
    ({"when-day": "31", "when-month": "2", "when-year": "2026"}, "must be a real date"),
    ({"when-day": "1", "when-month": "", "when-year": "2026"}, "must include a month"),
    ({"when-day": "1", "when-month": "2", "when-year": "26"}, "must be a real date"),
    ({"when-day": "", "when-month": "", "when-year": ""}, "Enter the date."),
])
def test_a_wrong_date_gives_one_message_and_keeps_what_was_typed(parts, message):
    form = _form(**parts)
    assert form.when.data is None
    assert len(form.when.errors) == 1 and message in form.when.errors[0]
    assert form.when.parts["year"] == parts["when-year"]
