"""Static files: fingerprinted addresses cached for a year, gzip when the browser takes it."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import elearn

STATIC = Path(elearn.__file__).parent / "static"


def _css_url(client) -> str:
    page = client.get("/sign-in").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def test_pages_link_static_files_by_their_fingerprint(client):
    digest = hashlib.sha256((STATIC / "app.css").read_bytes()).hexdigest()[:12]
    assert _css_url(client) == f"/static/app.css?v={digest}"
    page = client.get("/sign-in").get_data(as_text=True)
    assert re.search(r'src="/static/logo\.svg\?v=[0-9a-f]{12}"', page)


def test_a_fingerprinted_file_is_cached_for_a_year_and_compressed(client):
    response = client.get(_css_url(client), headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert gzip.decompress(body) == (STATIC / "app.css").read_bytes()
    assert len(body) < (STATIC / "app.css").stat().st_size / 2


def test_without_the_current_fingerprint_the_file_is_revalidated(client):
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        response = client.get(url)
        response.close()
        assert "immutable" not in response.headers.get("Cache-Control", ""), url


def test_a_client_that_takes_no_gzip_gets_the_plain_file(client):
    response = client.get(_css_url(client), headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "app.css").read_bytes()
    response.close()
