"""HR forms: importing staff, marking a leaver, sending a reminder."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField
from wtforms.validators import DataRequired


class LeaverForm(FlaskForm):
    left_on = DateField("Last day at the Trust", validators=[
        DataRequired("Enter the leaver's last day, for example 2026-07-31.")])
    # Signing someone out for good is not undone by a click: it is confirmed, not assumed.
    understood = BooleanField(
        "I understand they will be signed out at once and can no longer sign in",
        validators=[DataRequired("Tick to confirm you mean to mark this person as a leaver.")])


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


class ActionForm(FlaskForm):
    """A button that only needs the CSRF check (send a reminder)."""
