"""Anyone holding a certificate checks it by its number, without signing in."""

from __future__ import annotations

import pytest
from browser.journeys import (
    click_to,
    download_certificate,
    pass_track_directly,
    sign_in,
    sign_out,
    visit,
)

from elearn.certification.codes import display


@pytest.fixture(scope="module")
def certificate(live_server):
    """A governor's certificate issued in the current review cycle: (code, holder's email)."""
    email = live_server.people["governor_verify"]
    [code] = pass_track_directly(live_server, email, "governor")
    return code, email


def test_someone_verifies_a_certificate_by_its_code(page, live_server, certificate):
    code, _ = certificate
    visit(page, "/sign-in")
    click_to(page, "footer a:has-text('Check a certificate')", "verify-form")

    # A typing mistake is explained next to the field.
    page.get_by_label("Certificate number").fill("K7QX-M3PD")
    click_to(page, "main button[type=submit]", "verify-error")
    assert "has 12 letters and digits" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Certificate number").get_attribute("aria-invalid") == "true"

    # Typed as people do: lower case, with the hyphens as printed.
    page.get_by_label("Certificate number").fill(display(code).lower())
    click_to(page, "main button[type=submit]", "verify", docs=True)
    assert page.locator(".result-verdict").inner_text() == "✓ Valid"
    assert "Governors’ track" in page.locator("main").inner_text()
    assert page.locator("h1").inner_text() == f"Certificate {display(code)}"


def test_an_unknown_number_is_not_found(page, live_server):
    visit(page, "/verify/ACDEFGHJKMNP", "verify-unknown", status=404)
    assert page.locator("h1").inner_text() == "Certificate not found"


def test_someone_checks_a_certificate_file_and_a_changed_copy(page, live_server, certificate):
    code, email = certificate
    sign_in(page, email)
    pdf = download_certificate(page, "Governors’ training", "governor-verify")
    sign_out(page)

    visit(page, "/verify")
    page.get_by_label("Certificate file (PDF)").set_input_files(str(pdf))
    click_to(page, "main button:has-text('Check the file')", "verify-file", docs=True)
    assert page.locator(".result-verdict").inner_text() == "✓ Issued by the Trust"
    assert "This is the exact file the Trust issued to" in page.locator("main").inner_text()

    # One byte changed, as any editor would: refused, saying what failed.
    changed = pdf.with_name("governor-verify-changed.pdf")
    data = bytearray(pdf.read_bytes())
    data[data.index(b"/Reason (") + len(b"/Reason (")] ^= 1  # inside the signed bytes
    changed.write_bytes(bytes(data))
    visit(page, f"/verify/{code}")
    page.get_by_label("Certificate file (PDF)").set_input_files(str(changed))
    click_to(page, "main button:has-text('Check the file')", "verify-file-refused")
    main = page.locator("main").inner_text()
    assert "This file is not one the Trust issued: it may have been altered" in main
    assert "signature on it is broken" in main
