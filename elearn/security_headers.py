"""Headers every response carries: what the browser may load, frame and send on."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

_EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_OVER_HTTPS = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)


def init_app(app: Flask) -> None:
    wanted = [(name.lower(), name, value) for name, value in _EVERY_RESPONSE + (
        _OVER_HTTPS if app.config["BASE_URL"].startswith("https://") else ())]

    @app.after_request
    def _security_headers(response):
        # The response's own names, read once: a view may have set any of these itself
        # (and wins). Asking Headers for each missing name raised and caught an exception
        # per name, four on every page.
        present = {name.lower(): value for name, value in response.headers}
        response.headers.extend([(name, value) for lowered, name, value in wanted
                                 if lowered not in present])
        keep_personal_pages_out_of_caches(response, present.get("cache-control", ""))
        return response


def keep_personal_pages_out_of_caches(response: Response, policy: str) -> None:
    """What a signed-in person is shown (their training, HR's lists, files of certificates)
    is theirs: no browser history, disk cache or proxy may keep it. A view that chose a
    private policy itself (`policy`, a certificate revalidated by its ETag) keeps it; static
    files, the same for everyone, stay cacheable."""
    # is_anonymous, not is_authenticated: the latter reads the person's `active` column,
    # which a view's commit has expired; reading it would open a second transaction (on
    # SQLite a second write lock) only to add this header.
    if request.endpoint == "static" or current_user.is_anonymous:
        return
    if "private" not in policy and "no-store" not in policy:
        response.headers["Cache-Control"] = "private, no-store"
