"""Static files: fingerprinted addresses kept for a year, and gzip for those that shrink.

`static_url('app.css')` gives /static/app.css?v=<first 12 hex digits of its SHA-256>. A
request carrying the current fingerprint may be cached for a year, immutably: a changed
file gets a new address, so no one ever sees a stale stylesheet. Anything else (no `v`, or
an old one) keeps Flask's default: revalidate every time.

Only static files are compressed here, never pages: pages carry CSRF tokens and personal
data, and compressing secrets next to attacker-controlled text invites BREACH. Static text
compresses once and is kept in memory (the files are few and small).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from flask import Flask, Response, request

from elearn.templating import fixed_url

YEAR = 31_536_000
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "text/plain", "application/json"}


class StaticFiles:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self._hashes: dict[str, str] = {}
        self._gzipped: dict[str, bytes] = {}

    def fingerprint(self, filename: str) -> str:
        if filename not in self._hashes:
            data = (self.folder / filename).read_bytes()
            self._hashes[filename] = hashlib.sha256(data).hexdigest()[:12]
        return self._hashes[filename]

    def gzipped(self, filename: str) -> bytes:
        if filename not in self._gzipped:
            data = (self.folder / filename).read_bytes()
            self._gzipped[filename] = gzip.compress(data, compresslevel=9, mtime=0)
        return self._gzipped[filename]


def _accepts_gzip() -> bool:
    return any(part.split(";")[0].strip() == "gzip"
               for part in request.headers.get("Accept-Encoding", "").split(","))


def init_app(app: Flask) -> None:
    files = StaticFiles(app.static_folder)
    app.extensions["elearn_static"] = files

    def static_url(filename: str) -> str:
        return fixed_url("static", filename=filename, v=files.fingerprint(filename))

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def _static_caching(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = request.view_args.get("filename", "")
        if request.args.get("v") == files.fingerprint(filename):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        response.vary.add("Accept-Encoding")
        if response.mimetype in COMPRESSIBLE and _accepts_gzip():
            body = files.gzipped(filename)
            response.close()  # the file Flask opened to send: replaced by the gzipped bytes
            response.direct_passthrough = False
            response.set_data(body)
            response.headers["Content-Encoding"] = "gzip"
            response.headers.pop("Content-Range", None)
            # The ETag names the file's bytes; the compressed bytes get their own.
            if response.headers.get("ETag"):
                response.set_etag(files.fingerprint(filename) + "-gz")
        return response
