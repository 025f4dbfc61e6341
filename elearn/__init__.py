"""elearn: Social Media Policy training and certification for the L.E.A.D. Academy Trust."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from elearn.auth import sessions
from elearn.config import load_config
from elearn.content import load_content
from elearn.extensions import (
    close_view_connections,
    csrf,
    db,
    end_reads_with_commit,
    login_manager,
    migrate,
    read_only_transaction,
)
from elearn.url_ids import DatabaseIntConverter


class _Elearn(Flask):
    """Flask, asking once per function whether a hook or view is a coroutine function.
    Flask asks `inspect` on every call, for every hook and the view: fifteen times a page,
    about 7 µs of a question page's 600. The functions are those registered at start."""

    _ASKED_KEPT = 1_000  # far more than the app registers: a bound, not a cache policy

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ensured: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._ensured[func]
        except KeyError:
            ensured = super().ensure_sync(func)
            if len(self._ensured) < self._ASKED_KEPT:
                self._ensured[func] = ensured
            return ensured
        except TypeError:  # a callable that cannot be a key
            return super().ensure_sync(func)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, content, blueprints, CLI. No side effects beyond."""
    app = _Elearn(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    overrides = dict(config or {})
    environ = overrides.pop("ENVIRON", None)
    app.config.update(load_config(Path(app.instance_path), environ))
    app.config.update(overrides)
    # Before any route is added: every `<int:...>` in a URL is bounded to the database's range.
    app.url_map.converters["int"] = DatabaseIntConverter

    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],
                                x_proto=app.config["PROXY_COUNT"])

    close_view_connections(app)  # before db.init_app: runs after the session's teardown
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.session_interface = sessions.IdleSessionInterface()

    # Content is validated here so a broken file stops start-up with a clear message.
    app.extensions["elearn_content"] = load_content(app.config["CONTENT_DIR"])

    from elearn import errors, security_headers, static_files, templating
    from elearn.admin.views import bp as admin_bp
    from elearn.auth.sso_views import bp as sso_bp
    from elearn.auth.views import bp as auth_bp
    from elearn.certification.views import bp as certificates_bp
    from elearn.cli import register_cli
    from elearn.cycles.views import bp as cycles_bp
    from elearn.hr.views import bp as hr_bp
    from elearn.learner.views import bp as learner_bp
    from elearn.people.views import bp as people_bp
    from elearn.quiz.views import bp as quiz_bp
    from elearn.understanding.views import bp as understanding_bp

    for blueprint in (auth_bp, sso_bp, learner_bp, quiz_bp, certificates_bp, hr_bp, people_bp,
                      cycles_bp, understanding_bp, admin_bp):
        app.register_blueprint(blueprint)
    templating.init_app(app)
    static_files.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    register_cli(app)
    end_reads_with_commit(app)

    @app.before_request
    def _transaction_kind() -> None:
        read_only_transaction.set(request.method in {"GET", "HEAD", "OPTIONS"})

    return app
