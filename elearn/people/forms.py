"""Forms for importing staff."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose the CSV file to import.")],
        description="Columns: name, email, school, roles (several separated by ;, for "
                    "example staff;leader), and optionally job_title. The first line names "
                    "the columns; columns are separated by commas.")
    deactivate_leavers = BooleanField(
        "Deactivate leavers",
        description="People of the schools in the file who are not in it are deactivated "
                    "and signed out. Their records and certificates are kept.")


class ConfirmImportForm(FlaskForm):
    digest = HiddenField()
    # Required by the view only when the leavers are many or include key people; the label
    # names how many (set in the template).
    understand_leavers = BooleanField("I understand these people will be deactivated")
