"""HR forms: marking a leaver, sending a reminder."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import DataRequired


class LeaverForm(FlaskForm):
    left_on = DateField("Last day at the Trust", validators=[
        DataRequired("Enter the leaver's last day, for example 2026-07-31.")])
    # Signing someone out for good is not undone by a click: it is confirmed, not assumed.
    understood = BooleanField(
        "I understand they will be signed out at once and can no longer sign in",
        validators=[DataRequired("Tick to confirm you mean to mark this person as a leaver.")])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF check."""


class RemindForm(FlaskForm):
    """Sending reminders: emails cannot be called back, so the button asks for a tick first
    (no JavaScript needed)."""

    confirm = BooleanField("Yes, send it now", validators=[
        DataRequired("Tick the box to confirm you want to send the reminder.")])
