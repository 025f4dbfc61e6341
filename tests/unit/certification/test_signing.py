"""Signing certificates with the Trust's identity (PAdES), read back with pyHanko and pypdf."""

import dataclasses
import io
import re
from pathlib import Path

import pytest
from helpers import SIGNING_PASSWORD, signing_identity
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from elearn.certification.render import CertificateContext, CertificateRenderer
from elearn.certification.signing import (
    CertificateSigner,
    SigningIdentityError,
    _run,
    make_development_identity,
)

DESIGN = Path(__file__).parents[3] / "certificates"
CONTEXT = CertificateContext(
    "L.E.A.D. Academy Trust", "Amelia Patel", "Hollybrook Primary Academy", "Staff track",
    "Social Media Policy", "2017-01", "25 November 2026", "25 November 2027", "K7QX-M3PD-94TR",
    "https://elearn.example.org/verify/K7QXM3PD94TR", "25 November 2026",
    "2026-11-25T14:03:00+00:00", "Sam Taylor", "Head of People", 12, 80)


@pytest.fixture(scope="module")
def signer():
    return CertificateSigner(signing_identity(), SIGNING_PASSWORD, "Nottingham")


@pytest.fixture(scope="module")
def renderer(signer):
    return CertificateRenderer(DESIGN, signer)


@pytest.fixture(scope="module")
def unsigned(renderer):
    return renderer.render_unsigned(CONTEXT)


@pytest.fixture(scope="module")
def signed(renderer):
    return renderer.render(CONTEXT)

def _pyhanko_status(signer, pdf):
    """pyHanko's own validator, run as the app runs pyHanko's coroutines: the browser tests'
    event loop may be running in this thread when the whole suite runs at once."""
    [embedded] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(trust_roots=[signer.certificate], allow_fetching=False)
    return _run(lambda: async_validate_pdf_signature(embedded, context))


def test_pyhankos_validator_finds_the_signature_intact_and_covering_the_whole_file(
        signer, signed):
    status = _pyhanko_status(signer, signed)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject == signer.certificate.subject


def test_the_signature_names_the_certificate_number_as_its_reason(signed):
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert "K7QX-M3PD-94TR" in embedded.sig_object["/Reason"]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_the_signed_file_is_one_revision_still_pdf_a_tagged_and_in_british_english(signed):
    # WeasyPrint writes the signature's field itself: no incremental update follows.
    assert signed.count(b"%%EOF") == 1 and signed.endswith(b"%%EOF\n")
    root = PdfReader(io.BytesIO(signed)).trailer["/Root"]
    metadata = root["/Metadata"].get_object().get_data()
    # The XMP packet is WeasyPrint's, with its PDF/A identity.
    assert re.search(rb'pdfaid:part(="|>)3', metadata)
    assert re.search(rb'pdfaid:conformance(="|>)U', metadata)
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"


def test_signing_leaves_the_metadata_as_weasyprint_wrote_it(unsigned, signed):
    # The Info dictionary and the XMP packet keep the dates, and so still agree as
    # PDF/A asks; the signing time is the signature's own.
    before, after = (PdfReader(io.BytesIO(pdf)) for pdf in (unsigned, signed))
    assert dict(after.metadata) == dict(before.metadata)
    assert after.trailer["/Root"]["/Metadata"].get_object().get_data() == \
        before.trailer["/Root"]["/Metadata"].get_object().get_data()
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.self_reported_timestamp is not None


def test_the_invisible_signature_field_is_printable_as_pdf_a_requires(signed):
    [field] = PdfReader(io.BytesIO(signed)).trailer["/Root"]["/AcroForm"]["/Fields"]
    assert field.get_object()["/F"] & 4  # Print


def test_the_signers_check_accepts_the_untouched_file(signer, signed):
    assert signer.check(signed).valid


def test_one_changed_byte_breaks_the_signature(signer, signed):
    changed = bytearray(signed)
    changed[changed.index(b"Amelia Patel)")] ^= 1  # the name the signature's reason states
    check = signer.check(bytes(changed))
    assert check.signed and not check.intact and not check.valid


def test_an_unsigned_file_is_not_valid(signer, unsigned):
    check = signer.check(unsigned)
    assert not check.signed and not check.valid


def test_a_file_signed_by_someone_else_is_not_the_trusts(tmp_path, signer):
    make_development_identity(tmp_path / "forger.p12", "pw", "L.E.A.D. Academy Trust")
    forger = CertificateRenderer(DESIGN, CertificateSigner(tmp_path / "forger.p12", "pw"))
    check = signer.check(forger.render(CONTEXT))
    assert check.intact and check.whole_file and not check.by_the_trust and not check.valid


def test_text_that_is_not_a_pdf_is_not_signed(signer):
    assert not signer.check(b"%PDF-1.7 nonsense").signed
    assert not signer.check(b"hello").signed


def test_a_wrong_password_says_so(tmp_path):
    with pytest.raises(SigningIdentityError, match="wrong password"):
        CertificateSigner(signing_identity(), "not the password")


def test_a_missing_identity_file_says_which(tmp_path):
    with pytest.raises(SigningIdentityError, match="missing.p12"):
        CertificateSigner(tmp_path / "missing.p12", "pw")



def test_signatures_made_from_the_kept_cms_template_are_valid_each_for_its_own_file():
    signer = CertificateSigner(signing_identity(), SIGNING_PASSWORD)
    renderer = CertificateRenderer(DESIGN, signer)
    files = [renderer.render(dataclasses.replace(CONTEXT, holder_name=name))
             for name in ("Amelia Patel", "Zofia Nowak", "Rhys ap Gwilym")]
    # The first was built by pyHanko and kept as the template; the others were made from it.
    assert signer.signer._cms_template is not None
    for pdf in files:
        status = _pyhanko_status(signer, pdf)
        assert status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # A signature from the template belongs to its own file only.
    second, third = files[1], files[2]
    start = third.index(b"/Contents <") + len(b"/Contents <")
    swapped = third[:start] + second[start:start + signer.bytes_reserved] + \
        third[start + signer.bytes_reserved:]
    assert not signer.check(swapped).valid


def test_no_template_is_kept_from_a_signature_whose_attributes_change_with_time():
    from datetime import UTC, datetime

    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    from elearn.certification.signing import _CmsTemplate

    signer = CertificateSigner(signing_identity(), SIGNING_PASSWORD)
    digest = bytes(range(32))
    timed = _run(lambda: signer.signer.async_sign(
        digest, "sha256", use_pades=False,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC))))
    assert "signing_time" in {a["type"].native for a in
                              timed["content"]["signer_infos"][0]["signed_attrs"]}
    assert _CmsTemplate.of(timed, digest, ("key",)) is None


@pytest.mark.parametrize("key", ["rsa-4096", "ecdsa-p521"])
def test_the_room_kept_for_the_signature_fits_larger_keys(tmp_path, key):
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = (rsa.generate_private_key(public_exponent=65537, key_size=4096)
               if key == "rsa-4096" else ec.generate_private_key(ec.SECP521R1()))
    make_development_identity(tmp_path / "id.p12", "pw", "L.E.A.D. Academy Trust", key=private)
    other = CertificateSigner(tmp_path / "id.p12", "pw")
    signed = CertificateRenderer(DESIGN, other).render(CONTEXT)
    assert other.check(signed).valid


def test_the_room_kept_for_the_signature_leaves_little_unused(signed):
    [room] = re.findall(rb"/Contents <([0-9a-fA-F]+)>", signed)
    unused = len(room) - len(room.rstrip(b"0"))
    assert unused < 2 * 1024 + 64 + 2, unused  # the 1 KiB margin, as hex, and ECDSA's slack


def test_a_name_beyond_ascii_is_signed_and_named_in_the_reason(signer, renderer):
    pdf = renderer.render(dataclasses.replace(CONTEXT, holder_name="Zoë Ní Bhriain (Łódź)"))
    assert signer.check(pdf).valid
    [embedded] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert "Zoë Ní Bhriain (Łódź)" in embedded.sig_object["/Reason"]
