"""Checking a certificate file at /verify: the exact issued file, or a forgery caught.

The forgery is made as the issue describes an inspector making one: the real certificate
is rewritten (pypdf decompresses and rewrites it whole, as `qpdf --qdf` would), its name
and valid-until date changed in the page's text with glyphs the file already has, and the
result is a well-formed PDF that reads as the new name and date.
"""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from helpers import acknowledge, csrf_token, pass_unit
from pypdf import PdfReader, PdfWriter

from elearn.certification.codes import display
from elearn.certification.render import CertificateContext, CertificateRenderer
from elearn.certification.signing import CertificateSigner, make_development_identity
from elearn.models import Certificate, Role
from elearn.wording import long_date


@pytest.fixture
def issued(signed_in, cycle, db):
    """Amelia Patel has passed the staff track; her certificate, as stored."""
    client, person = signed_in(Role.STAFF, name="Amelia Patel")
    acknowledge(client)
    pass_unit(client, db, "friends")
    pass_unit(client, db, "approval")
    return db.session.query(Certificate).filter_by(person_id=person.id).one()


def _to_unicode(font) -> dict[str, str]:
    """A font's ToUnicode map read backwards: character -> the hex code that draws it."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    found: dict[str, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found.setdefault(bytes.fromhex(text).decode("utf-16-be"), code.lower())
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(first).decode("utf-16-be"))
            for n in range(int(high, 16) - int(low, 16) + 1):
                found.setdefault(chr(start + n), f"{int(low, 16) + n:0{len(low)}x}")
    return found


def _swap_text(content: bytes, cmap: dict[str, str], old: str, new: str) -> bytes:
    """Replace the glyphs that draw `old` with those drawing `new` (same length), keeping
    the spacing between them."""
    assert len(old) == len(new)
    pattern = rb"([^<]*?)".join(re.escape(f"<{cmap[ch]}>".encode()) for ch in old)
    match = re.search(pattern, content, re.I)
    assert match, f"{old!r} is not drawn with this font"
    gaps = match.groups()
    replacement = b"".join(f"<{cmap[ch]}>".encode() + (gaps[i] if i < len(gaps) else b"")
                           for i, ch in enumerate(new))
    return content[:match.start()] + replacement + content[match.end():]


def forge(pdf: bytes, old_name: str, new_name: str, old_date: str) -> tuple[bytes, str]:
    """The certificate rewritten with another name and a later valid-until year."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    contents = page["/Contents"].get_object()  # WeasyPrint: one stream for the page
    data = contents.get_data()
    for font in page["/Resources"]["/Font"].values():
        cmap = _to_unicode(font.get_object())
        if all(ch in cmap for ch in old_name + new_name + old_date) and re.search(
                rb"([^<]*?)".join(re.escape(f"<{cmap[c]}>".encode()) for c in old_name),
                data, re.I):
            digits = [d for d in "9876543210" if d in cmap and d != old_date[-1]]
            new_date = old_date[:-1] + digits[0]
            data = _swap_text(data, cmap, old_name, new_name)
            data = _swap_text(data, cmap, old_date, new_date)
            break
    else:
        raise AssertionError("no font draws the name")
    contents.set_data(data)  # compressed again with the stream's own filter
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), new_date


def _upload(client, data: bytes, filename: str = "certificate.pdf"):
    page = client.get("/verify")
    return client.post("/verify/file", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def _text(response) -> str:
    import html
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_the_untouched_file_is_confirmed_as_the_exact_file_issued(app, issued):
    response = _upload(app.test_client(), issued.pdf)
    text = _text(response)
    assert response.status_code == 200
    assert ("This is the exact file the Trust issued to Amelia Patel, School A, for the "
            "Staff track") in text
    assert display(issued.code) in text and "not one the Trust issued" not in text


def test_a_forged_name_and_date_is_a_valid_pdf_that_reads_as_the_forgery(issued, tmp_path):
    valid_until = long_date(issued.valid_until)
    forged, new_date = forge(issued.pdf, "Amelia Patel", "Patel Amelia", valid_until)
    reader = PdfReader(io.BytesIO(forged))
    text = reader.pages[0].extract_text()
    assert "Patel Amelia" in text and new_date in text and "Amelia Patel" not in text
    if shutil.which("qpdf"):  # as an inspector would check it
        (tmp_path / "forged.pdf").write_bytes(forged)
        checked = subprocess.run(["qpdf", "--check", str(tmp_path / "forged.pdf")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_forged_name_and_date_is_refused_naming_the_hash_and_the_signature(app, issued):
    forged, _ = forge(issued.pdf, "Amelia Patel", "Patel Amelia", long_date(issued.valid_until))
    response = _upload(app.test_client(), forged)
    text = _text(response)
    assert response.status_code == 200
    assert "This file is not one the Trust issued: it may have been altered" in text
    assert f"the file says it is certificate {display(issued.code)}" in text  # hash
    assert "signature on it is broken" in text
    assert "exact file" not in text


def test_a_copy_rendered_again_and_signed_by_someone_else_is_refused(app, issued, tmp_path):
    make_development_identity(tmp_path / "forger.p12", "pw", "L.E.A.D. Academy Trust")
    forger = CertificateRenderer(app.config["CERTIFICATE_DIR"],
                                 CertificateSigner(tmp_path / "forger.p12", "pw"))
    copy = forger.render(CertificateContext(
        "L.E.A.D. Academy Trust", "Amelia Patel", "School A", "Staff track",
        "Social Media Policy", "v1", long_date(issued.completed_on), "31 December 2099",
        display(issued.code), f"http://localhost/verify/{issued.code}"))
    text = _text(_upload(app.test_client(), copy))
    assert "This file is not one the Trust issued" in text
    assert f"the file says it is certificate {display(issued.code)}" in text
    assert "not with the Trust’s signing certificate" in text


def test_a_pdf_naming_no_certificate_is_refused_as_no_such_certificate(app, issued):
    other = CertificateRenderer(app.config["CERTIFICATE_DIR"]).render(CertificateContext(
        "L.E.A.D. Academy Trust", "Amelia Patel", "School A", "Staff track",
        "Social Media Policy", "v1", "1 January 2026", "1 January 2027", "AAAA-AAAA-AAAA",
        "http://localhost/verify/AAAAAAAAAAAA"))
    text = _text(_upload(app.test_client(), other))
    assert "No such certificate" in text and "carries no digital signature" in text


def test_a_file_larger_than_the_limit_is_refused_unread(app, issued):
    app.config["VERIFY_UPLOAD_MAX_KB"] = 64
    response = _upload(app.test_client(), issued.pdf + b"%" * (200 * 1024))
    assert response.status_code == 413
    assert "larger than" in _text(response)


def test_an_upload_without_a_file_asks_for_one(app):
    client = app.test_client()
    page = client.get("/verify")
    response = client.post("/verify/file", data={"csrf_token": csrf_token(page)},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the certificate’s PDF" in _text(response)


def test_an_upload_without_the_csrf_token_is_refused(app, issued):
    response = app.test_client().post("/verify/file", data={
        "file": (io.BytesIO(issued.pdf), "c.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_file_checks_are_rate_limited_per_address(app, issued):
    app.config["VERIFY_FILES_PER_MINUTE"] = 2
    client = app.test_client()
    assert _upload(client, issued.pdf).status_code == 200
    assert _upload(client, issued.pdf).status_code == 200
    assert _upload(client, issued.pdf).status_code == 429


def test_the_number_page_shows_school_and_fingerprint_and_asks_to_compare(app, issued):
    text = _text(app.test_client().get(f"/verify/{issued.code}"))
    assert "School A" in text and issued.sha256[:16] in text and issued.sha256 in text
    assert "<details" in app.test_client().get(f"/verify/{issued.code}").get_data(as_text=True)
    assert "Compare the name, school and dates" in text
    assert "genuine" not in text


def test_a_revoked_certificates_exact_file_is_confirmed_but_said_to_be_withdrawn(
        app, issued, db):
    issued.revoked_at = issued.issued_at
    issued.revoked_reason = "Issued in error"
    db.session.commit()
    text = _text(_upload(app.test_client(), issued.pdf))
    assert "This is the exact file" in text and "since withdrawn this certificate" in text
    assert date.today().year > 2000
