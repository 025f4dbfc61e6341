"""Sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address."),
        Email("Enter an email address like name@school.org.uk."),
        Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=256)])
    remember = BooleanField("Keep me signed in on this device for 30 days")
    next = StringField()


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired("Enter a new password."), Length(max=256)],
        description="At least 8 characters. A short sentence is easy to remember and hard "
                    "to guess.")
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("password", "The two passwords do not match.")])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address."),
        Email("Enter an email address like name@school.org.uk."),
        Length(max=254)])
