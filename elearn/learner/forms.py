"""The learner's forms: acknowledging the policy."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class AcknowledgeForm(FlaskForm):
    confirm = BooleanField("I have read and understood this version of the policy", validators=[
        DataRequired("Tick the box to confirm you have read and understood the policy.")])
