"""Headers every response carries: what the browser may load, frame and send on."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        keep_personal_pages_out_of_caches(response)
        return response


def keep_personal_pages_out_of_caches(response: Response) -> None:
    """What a signed-in person is shown (their training, HR's lists, files of certificates)
    is theirs: no browser history, disk cache or proxy may keep it. A view that chose a
    private policy itself (a certificate revalidated by its ETag) keeps it; static files,
    the same for everyone, stay cacheable."""
    # is_anonymous, not is_authenticated: the latter reads the person's `active` column,
    # which a view's commit has expired; reading it would open a second transaction (on
    # SQLite a second write lock) only to add this header.
    if request.endpoint == "static" or current_user.is_anonymous:
        return
    policy = response.headers.get("Cache-Control", "")
    if "private" not in policy and "no-store" not in policy:
        response.headers["Cache-Control"] = "private, no-store"
