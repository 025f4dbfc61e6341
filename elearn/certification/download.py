"""Sending a stored certificate as a download."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request


def send_pdf(data: bytes | Callable[[], bytes], filename: str, etag: str) -> Response:
    """Serve a stored, immutable PDF as a download, revalidated by its ETag.

    `etag` must identify the bytes (the stored SHA-256 does). A browser that already holds
    them gets 304 with no body; `data` may then be a function, called only when the bytes
    are really sent, so a revalidation never reads the file from the database.
    "private": shared caches must not keep a personal certificate; max-age=0 with
    must-revalidate: every use still passes the access check.
    """
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(data() if callable(data) else data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(etag)
    return response
