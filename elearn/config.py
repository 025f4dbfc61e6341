"""Settings from ELEARN_* environment variables.

Every setting the app reads comes from here, so the README's configuration table and
the code cannot drift apart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PREFIX = "ELEARN_"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance_path: Path) -> str:
    """Generate once and keep a secret key in instance/ so dev sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


class _Env:
    """The ELEARN_* variables, an empty value counting as unset."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ

    def __call__(self, name: str, default: str | None = None) -> str | None:
        value = self.environ.get(PREFIX + name)
        return default if value in (None, "") else value


def _mode(get: _Env) -> str:
    mode = get("ENV", "development")
    if mode not in {"development", "production", "testing"}:
        raise ConfigError(
            f"ELEARN_ENV must be development, production or testing, not {mode!r}."
        )
    return mode


def _secret_key(get: _Env, production: bool, instance_path: Path) -> str:
    secret = get("SECRET_KEY")
    if secret is None:
        if production:
            raise ConfigError(
                "ELEARN_SECRET_KEY is not set. A production server refuses to start without "
                "a secret key: generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'` and set it in the environment."
            )
        return _dev_secret_key(instance_path)
    if production and len(secret) < 32:
        raise ConfigError("ELEARN_SECRET_KEY must be at least 32 characters in production.")
    return secret


def _database_url(get: _Env, instance_path: Path) -> str:
    database_url = get("DATABASE_URL", f"sqlite:///{instance_path / 'elearn.sqlite'}")
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return database_url


def _base_url(get: _Env, production: bool) -> str:
    base_url = get("BASE_URL")
    if base_url is None and production:
        # Certificates are stored for good: a wrong address in their QR code never heals.
        raise ConfigError(
            "ELEARN_BASE_URL is not set. A production server refuses to start without its "
            "public address (for example https://elearn.leadacademytrust.co.uk): it is printed "
            "in every certificate's QR code and in every email.")
    return (base_url or "http://127.0.0.1:5000").rstrip("/")


def _mail(get: _Env) -> dict:
    return {
        "MAIL_SERVER": get("MAIL_SERVER"),
        "MAIL_PORT": int(get("MAIL_PORT", "25")),
        "MAIL_USERNAME": get("MAIL_USERNAME"),
        "MAIL_PASSWORD": get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(get("MAIL_USE_SSL"), False),
        "MAIL_FROM": get("MAIL_FROM", "elearn@leadacademytrust.co.uk"),
    }


def _sessions(get: _Env, https: bool) -> dict:
    idle_minutes = int(get("SESSION_IDLE_MINUTES", "480"))
    return {
        # A learner may read a scenario for hours: the CSRF token lives as long as the
        # session, and the session as long as the idle limit below.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_IDLE_MINUTES": idle_minutes,
        "PERMANENT_SESSION_LIFETIME": idle_minutes * 60,
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": "__Host-elearn" if https else "elearn_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_NAME": "__Host-elearn_remember" if https else "elearn_remember",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
    }


def _limits(get: _Env) -> dict:
    return {
        # Free failures before delays that double (elearn.auth.throttle): per account and
        # address (or known browser), and per address whatever the accounts.
        "LOGIN_FREE_FAILURES_PER_PAIR": int(get("LOGIN_FREE_FAILURES_PER_PAIR", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(get("LOGIN_MAX_FAILURES_PER_ADDRESS", "100")),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(get("LOGIN_FAILURE_WINDOW_MINUTES", "60")),
        # Days after a leaver's last day before their personal details are erased.
        "RETENTION_DAYS": int(get("RETENTION_DAYS", "365")),
        "INVITATION_DAYS": int(get("INVITATION_DAYS", "14")),
        "RESET_MINUTES": int(get("RESET_MINUTES", "60")),
        # Password reset requests per address per hour, and reset emails per account per
        # hour whoever asks (beyond it the same answer, but no email).
        "RESET_REQUESTS_PER_ADDRESS": int(get("RESET_REQUESTS_PER_ADDRESS", "10")),
        "RESET_EMAILS_PER_ACCOUNT": int(get("RESET_EMAILS_PER_ACCOUNT", "3")),
        # Public certificate checks per address per minute (counted in the database).
        "VERIFY_PER_MINUTE": int(get("VERIFY_PER_MINUTE", "30")),
    }


def load_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config from the environment (ELEARN_* variables)."""
    get = _Env(dict(os.environ if environ is None else environ))
    mode = _mode(get)
    production = mode == "production"
    secret_key = _secret_key(get, production, instance_path)
    database_url = _database_url(get, instance_path)
    base_url = _base_url(get, production)
    root = Path(__file__).resolve().parent.parent
    return {
        "ELEARN_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A pooled connection to a server can die with the server; a SQLite file's cannot,
        # and the ping would cost every request a query.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        "TRUST_NAME": get("TRUST_NAME", "L.E.A.D. Academy Trust"),
        # Proxies (e.g. nginx) in front of the app whose X-Forwarded-For/-Proto to trust, so
        # throttling and the audit trail see the visitor's address, not the proxy's.
        "PROXY_COUNT": int(get("PROXY_COUNT", "0")),
        "BASE_URL": base_url,
        "CONTENT_DIR": get("CONTENT_DIR", str(root / "modules")),
        "CERTIFICATE_DIR": get("CERTIFICATE_DIR", str(root / "certificates")),
        **_mail(get),
        **_sessions(get, base_url.startswith("https://")),
        **_limits(get),
    }
