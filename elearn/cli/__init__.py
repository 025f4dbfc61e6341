"""`flask --app wsgi ...` commands, one module per job; each command's docstring is its
help text. Commands parse input and print output; the work is done by the same services the
pages call."""

from __future__ import annotations

from flask import Flask

from elearn.cli.certificates import certificates_cli
from elearn.cli.content import content_cli
from elearn.cli.cycles import reminders_cli, review_cli
from elearn.cli.demo import demo_cli
from elearn.cli.people import people_cli, privacy_cli


def register_cli(app: Flask) -> None:
    for group in (demo_cli, people_cli, content_cli, review_cli, privacy_cli, reminders_cli,
                  certificates_cli):
        app.cli.add_command(group)
