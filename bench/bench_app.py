"""The app as `make bench` serves it: the real app plus one baseline route.

`/bench/signed-in-bytes` answers a signed-in request with the certificate's bytes through
the same `send_pdf`, but without looking the certificate up: comparing the download with
it isolates what the lookup and the scope check cost, apart from the signed-in session
(cookie, person and roles) that any signed-in page pays. `/bench/password-check` verifies
one password as sign-in does, so that the journey's figure "without the hash" subtracts
the hash as a worker pays it, not as the bench's own process does. Never part of the real
app.
"""

from pathlib import Path

from flask_login import login_required

from elearn.auth.passwords import hash_password, verify_password
from elearn.certification.download import send_pdf
from elearn.extensions import reads_only
from wsgi import app

_PDF = Path(app.static_folder) / "bench-certificate.pdf"
_cache: dict[str, bytes] = {}


@app.get("/bench/signed-in-bytes")
@reads_only  # as the download is: the same transaction (none) on PostgreSQL
@login_required
def signed_in_bytes():
    """The benchmark's PDF, read once from disk and then kept in memory."""
    if "pdf" not in _cache:
        _cache["pdf"] = _PDF.read_bytes()
    return send_pdf(_cache["pdf"], "bench.pdf", "bench")


_HASH = hash_password("correct horse battery")


@app.get("/bench/password-check")
def password_check():
    """One argon2 verification, as a sign-in makes it."""
    return "ok\n" if verify_password(_HASH, "correct horse battery") else ("no\n", 500)
