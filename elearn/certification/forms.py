"""The public form to check a certificate file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyFileForm(FlaskForm):
    file = FileField("Certificate file (PDF)", validators=[
        FileRequired("Choose the certificate’s PDF file to check it.")],
        render_kw={"accept": ".pdf,application/pdf"},
        description="The file is checked and then forgotten: it is not kept.")
