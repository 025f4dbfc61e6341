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

# The self-signed identity `flask --app wsgi certificates dev-identity` makes in instance/.
# Its password protects nothing (it is written here): it is for development only.
DEV_SIGNING_P12 = "dev-signing.p12"
DEV_SIGNING_PASSWORD = "development-only"


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


def _engine_options(get: _Env, database_url: str) -> dict:
    """The connection pool. A SQLite file cannot go away, so nothing is checked. A server
    can, but pinging it before every request (pool_pre_ping) cost PostgreSQL three of the
    question page's seven round trips (BEGIN, SELECT 1, ROLLBACK), and under load each
    round trip waits for the server's process to get a core (docs/benchmarks.md). Instead
    connections are replaced every few minutes, and a connection found dead (the server
    restarted) makes SQLAlchemy drop the whole pool: that one request fails and the next
    reconnects. ELEARN_DATABASE_PRE_PING=1 brings the ping back."""
    if database_url.startswith("sqlite"):
        return {"pool_pre_ping": False}
    return {"pool_pre_ping": _bool(get("DATABASE_PRE_PING")),
            "pool_recycle": int(get("DATABASE_POOL_RECYCLE", "300"))}


def _base_url(get: _Env, production: bool) -> str:
    base_url = get("BASE_URL")
    if base_url is None and production:
        # Certificates are stored for good: a wrong address in their QR code never heals.
        raise ConfigError(
            "ELEARN_BASE_URL is not set. A production server refuses to start without its "
            "public address (for example https://elearn.leadacademytrust.co.uk): it is printed "
            "in every certificate's QR code and in every email.")
    return (base_url or "http://127.0.0.1:5000").rstrip("/")

def _signing(get: _Env, production: bool, instance_path: Path) -> dict:
    """The Trust's document-signing identity: every certificate is signed with it. In
    development and tests a self-signed one lives in instance/ (made by `flask --app wsgi
    certificates dev-identity`, which `make run` runs)."""
    signing_p12 = get("SIGNING_P12")
    signing_password = get("SIGNING_PASSWORD")
    if production and (signing_p12 is None or signing_password is None):
        raise ConfigError(
            "ELEARN_SIGNING_P12 and ELEARN_SIGNING_PASSWORD are not set. A production server "
            "refuses to start without the Trust's document-signing identity: every "
            "certificate is signed with it, so that a forged copy can be told from the real "
            "one. Obtain a document-signing certificate from a certificate authority on the "
            "Adobe Approved Trust List (or from the Trust's own IT, for an in-house one) as a "
            "PKCS#12 (.p12) file, and set ELEARN_SIGNING_P12 to its path and "
            "ELEARN_SIGNING_PASSWORD to its password. README.md, \"Signing certificates\", "
            "says how.")
    if production and not Path(signing_p12).is_file():
        raise ConfigError(f"ELEARN_SIGNING_P12 is {signing_p12!r}, which is not a file.")
    if production and (get("SIGNATORY_NAME") is None or get("SIGNATORY_ROLE") is None):
        raise ConfigError(
            "ELEARN_SIGNATORY_NAME and ELEARN_SIGNATORY_ROLE are not set. Every certificate "
            "names the person who signs it for the Trust and their role (for example "
            "ELEARN_SIGNATORY_ROLE='Director of People').")
    return {
        "SIGNING_P12": signing_p12 or str(instance_path / DEV_SIGNING_P12),
        "SIGNING_PASSWORD": signing_password or DEV_SIGNING_PASSWORD,
        # Printed on every certificate above the Trust's name, and in its signature.
        # The development defaults say they are a demonstration.
        "SIGNATORY_NAME": get("SIGNATORY_NAME", "Sam Taylor"),
        "SIGNATORY_ROLE": get("SIGNATORY_ROLE", "Head of People (demonstration)"),
        "SIGNING_LOCATION": get("SIGNING_LOCATION", ""),
        # Largest PDF the public may upload to /verify to check it (a certificate is ~60 KB).
        "VERIFY_UPLOAD_MAX_KB": int(get("VERIFY_UPLOAD_MAX_KB", "2048")),
    }


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
        # Uploaded files checked per address per minute: each check reads a signature.
        "VERIFY_FILES_PER_MINUTE": int(get("VERIFY_FILES_PER_MINUTE", "10")),
    }


# Button labels for the providers the README describes; any other name is shown title-cased
# unless ELEARN_SSO_<NAME>_LABEL says otherwise.
_SSO_LABELS = {"microsoft": "Microsoft", "google": "Google"}


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _sso_provider(get: _Env, name: str, production: bool) -> dict:
    key = name.upper()
    values = {setting: get(f"SSO_{key}_{setting}")
              for setting in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")}
    missing = [f"ELEARN_SSO_{key}_{s}" for s, v in values.items() if v is None]
    if missing:
        raise ConfigError(f"Sign-in with {name} needs {', '.join(missing)}.")
    if production and not values["ISSUER"].startswith("https://"):
        raise ConfigError(f"ELEARN_SSO_{key}_ISSUER must be an https:// address.")
    tenants = _list(get(f"SSO_{key}_TENANTS"))
    domains = tuple(d.lower() for d in _list(get(f"SSO_{key}_DOMAINS")))
    if not tenants and not domains:
        # Without one, any organisation's accounts at the provider could sign in.
        raise ConfigError(
            f"Sign-in with {name} needs ELEARN_SSO_{key}_TENANTS (Microsoft Entra tenant ids) "
            f"or ELEARN_SSO_{key}_DOMAINS (Google Workspace domains): the organisations "
            "whose accounts may sign in.")
    return {"name": name, "label": get(f"SSO_{key}_LABEL", _SSO_LABELS.get(name, name.title())),
            "issuer": values["ISSUER"].rstrip("/"), "client_id": values["CLIENT_ID"],
            "client_secret": values["CLIENT_SECRET"], "tenants": tenants, "domains": domains}


def _sso(get: _Env, production: bool) -> dict:
    names = tuple(n.lower() for n in _list(get("SSO_PROVIDERS")))
    bad = [n for n in names if not n.replace("_", "").isalnum()]
    if bad:
        raise ConfigError(f"ELEARN_SSO_PROVIDERS: {bad[0]!r} is not a name (letters, digits, _).")
    password = get("PASSWORD_SIGN_IN", "everyone")
    if password not in {"everyone", "admins"}:
        raise ConfigError(f"ELEARN_PASSWORD_SIGN_IN must be everyone or admins, not {password!r}.")
    if password == "admins" and not names:
        raise ConfigError("ELEARN_PASSWORD_SIGN_IN=admins needs ELEARN_SSO_PROVIDERS: "
                          "otherwise nobody but administrators could sign in.")
    return {"SSO_PROVIDERS": tuple(_sso_provider(get, n, production) for n in names),
            "PASSWORD_SIGN_IN": password}


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
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(get, database_url),
        "TRUST_NAME": get("TRUST_NAME", "L.E.A.D. Academy Trust"),
        # Proxies (e.g. nginx) in front of the app whose X-Forwarded-For/-Proto to trust, so
        # throttling and the audit trail see the visitor's address, not the proxy's.
        "PROXY_COUNT": int(get("PROXY_COUNT", "0")),
        "BASE_URL": base_url,
        "CONTENT_DIR": get("CONTENT_DIR", str(root / "modules")),
        "CERTIFICATE_DIR": get("CERTIFICATE_DIR", str(root / "certificates")),
        **_signing(get, production, instance_path),
        **_mail(get),
        **_sessions(get, base_url.startswith("https://")),
        **_limits(get),
        **_sso(get, production),
    }
