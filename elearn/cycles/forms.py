"""Forms for recording a policy review and revoking a certificate."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from elearn.date_field import DayMonthYearField


class ReviewForm(FlaskForm):
    reviewed_on = DayMonthYearField("Date the policy was reviewed", validators=[
        DataRequired("Enter the date the policy was reviewed.")],
        description="For example, 25 11 2026")
    next_review = DayMonthYearField("Next review date", validators=[
        DataRequired("Enter the next review date.")],
        description="Everyone must complete their training by this date.")
    # Choices are the versions in modules/, set by the view.
    version = SelectField("Policy version", validate_choice=False,
                          description="The version the review approved. Choose a newer one "
                                      "only if the review brought a new version.")
    retraining = RadioField("What must people retake?", default="all", choices=[
        SelectChoice("all", "Everyone retrains on every unit (the usual choice at the "
                            "annual review)"),
        SelectChoice("changed", "Retrain only on what changed: people keep the units they "
                                "passed, except units that test a rule the new version "
                                "changed or added")],
        validators=[DataRequired("Choose what people must retake.")])


class RevokeForm(FlaskForm):
    code = StringField("Certificate number", validators=[
        DataRequired("Enter the certificate number."), Length(max=32)])
    reason = TextAreaField("Reason", validators=[
        DataRequired("Give the reason for revoking this certificate."), Length(max=1000)],
        description="Kept with the certificate and shown to its holder and to HR. The public "
                    "verification page does not show it.")
    # Set by the confirmation page: revoking is confirmed there, never done in one click.
    confirm = HiddenField()
