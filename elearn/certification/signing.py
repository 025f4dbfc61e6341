"""Signing certificates (PAdES, with pyHanko) and checking a signed file. No Flask.

A certificate is signed once, when it is issued, with the Trust's document-signing key (a
PKCS#12 file). WeasyPrint writes the signature's field and dictionary into the PDF/A-3u
file with room for the signature (`add_signature_field`); the signature is then made over
every byte of the file but that room, and written into it (`seal`): a changed name or date
breaks it. Checking a file asks pyHanko's validator whether the signature is intact,
covers the whole file and was made with a certificate the app trusts (its own signing
certificate); no network is used.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pydyf
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

T = TypeVar("T")

# The field's name in the PDF: a viewer lists the signature under it.
FIELD_NAME = "TrustSignature"

# Adobe's and ETSI's OID for "document signing" (RFC 9336): the key usage a Trust asks
# its certificate authority for.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _run(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one of pyHanko's coroutines to the end from plain code. pyHanko's own synchronous
    wrappers call asyncio.run, which fails in a thread whose event loop is running (under
    an async server, or Playwright in the browser tests); there it runs in a thread of its
    own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


class SigningIdentityError(ValueError):
    """The PKCS#12 file cannot be used; the message says why and what to do."""


def make_development_identity(
        path: Path, password: str, organisation: str,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None) -> None:
    """Write a self-signed document-signing identity (key and certificate) as PKCS#12: for
    `key`, or a new RSA-2048 key.

    For development and tests only: a PDF viewer shows its signature as made by an unknown
    signer. A Trust in production uses a certificate from a certificate authority.
    """
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} (development signing only)"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
    ])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING,
                                              ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .sign(key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"elearn-signing", key, certificate, None,
        serialization.BestAvailableEncryption(password.encode()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator found in a file, in the terms a reader needs."""

    signed: bool
    intact: bool = False          # the signed bytes are unchanged
    whole_file: bool = False      # the signature covers every byte of the file
    by_the_trust: bool = False    # made with the Trust's signing certificate

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.whole_file and self.by_the_trust


# The signed attributes a PAdES signature without a timestamp carries: none of them changes
# from one document to the next except the message digest (no signing time: PAdES puts it
# in the signature dictionary).
_CONSTANT_ATTRIBUTES = {"content_type", "signing_certificate_v2", "cms_algorithm_protection"}


@dataclass(frozen=True)
class _CmsTemplate:
    """A CMS signature made by pyHanko, as bytes with two holes: the message digest in the
    signed attributes, and the signature value."""

    key: tuple               # what the signed attributes were made from, besides the digest
    attributes: bytes        # the signed attributes as signed (a DER SET)
    digest_at: int           # where the message digest sits in them
    digest_length: int
    whole: bytes             # the whole CMS ContentInfo
    attributes_at: int       # where the signed attributes sit in it ([0] IMPLICIT)
    signature_at: int
    signature_length: int

    @classmethod
    def of(cls, content_info: cms.ContentInfo, digest: bytes, key: tuple
           ) -> _CmsTemplate | None:
        """The template of a signature pyHanko made, or None where one would not be sound."""
        signer_info = content_info["content"]["signer_infos"][0]
        attributes = signer_info["signed_attrs"]
        kinds = {a["type"].native for a in attributes}
        if kinds - _CONSTANT_ATTRIBUTES != {"message_digest"} \
                or signer_info["unsigned_attrs"].native:
            return None
        signed = attributes.untag().dump(force=True) if attributes.tag != 17 else \
            attributes.dump()
        whole = content_info.dump()
        as_embedded = b"\xa0" + signed[1:]
        signature = signer_info["signature"].native
        if signed[:1] != b"1" or signed.count(digest) != 1 or \
                whole.count(as_embedded) != 1 or whole.count(signature) != 1:
            return None
        return cls(key, signed, signed.index(digest),
                   len(digest), whole, whole.index(as_embedded), whole.index(signature),
                   len(signature))

    def signed_attributes(self, digest: bytes) -> bytes:
        """The signed attributes for a document with this digest, as they are signed."""
        at = self.digest_at
        return self.attributes[:at] + digest + self.attributes[at + self.digest_length:]

    def content_info(self, attributes: bytes, signature: bytes) -> cms.ContentInfo | None:
        """The CMS signature with these attributes and signature value; None when the
        signature's length differs from the template's (ECDSA's varies)."""
        if len(signature) != self.signature_length:
            return None
        whole, a, s = self.whole, self.attributes_at, self.signature_at
        made = (whole[:a] + b"\xa0" + attributes[1:] + whole[a + len(attributes):s]
                + signature + whole[s + len(signature):])
        return cms.ContentInfo.load(made)


# What `CertificateSigner._cms` asks for: a PAdES signature of a SHA-256 digest.
_PADES_KEY = ("sha256", True, True, None, 32)


class _KeyKeptSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner decodes the private key again for every signature, and
    cryptography checks an RSA key when decoding it (about 30 ms, twice a certificate).
    This one decodes the key once; unusual key types are left to pyHanko."""

    @classmethod
    def from_pkcs12(cls, data: bytes, password: str) -> _KeyKeptSigner:
        loaded = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=password.encode())
        signer = cls(signing_key=loaded.signing_key, signing_cert=loaded.signing_cert,
                     cert_registry=loaded.cert_registry)
        signer.kept_key = serialization.load_der_private_key(loaded.signing_key.dump(),
                                                             password=None)
        return signer

    async def async_sign(self, data_digest: bytes, digest_algorithm: str, dry_run=False,
                         use_pades=False, timestamper=None, signed_attr_settings=None,
                         is_pdf_sig=True, encap_content_info=None) -> cms.ContentInfo:
        # Building the CMS structure with asn1crypto was most of the signing time, and
        # between two certificates it differs only in the document's digest and the
        # signature value. The first signature is built by pyHanko and kept as a
        # template; later ones put the new digest into the signed attributes, sign them,
        # and put the new signature into the template. The template is used only where
        # that is provably all that changes (see _CmsTemplate.of).
        plain = not dry_run and timestamper is None and encap_content_info is None
        # What decides the signed attributes, besides the digest. PAdES ignores the
        # signing time it is given (the time goes in the signature dictionary).
        settings = signed_attr_settings
        if use_pades and settings is not None:
            settings = replace(settings, signing_time=None)
        key = (digest_algorithm, use_pades, is_pdf_sig, settings, len(data_digest))
        made = self.from_template(data_digest, key) if plain else None
        if made is not None:
            return made
        content_info = await super().async_sign(
            data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades,
            timestamper=timestamper, signed_attr_settings=signed_attr_settings,
            is_pdf_sig=is_pdf_sig, encap_content_info=encap_content_info)
        if plain and self.__dict__.get("_cms_template") is None:
            self._cms_template = _CmsTemplate.of(content_info, data_digest, key)
        return content_info

    def from_template(self, digest: bytes, key: tuple | None = None) -> cms.ContentInfo | None:
        """A signature made from the kept template, if there is one for `key` (by default
        the PAdES signature of a SHA-256 digest, as certificates are signed); else None."""
        template = self.__dict__.get("_cms_template")
        if template is None or template.key != (key or _PADES_KEY):
            return None
        signed = template.signed_attributes(digest)
        return template.content_info(signed, self.sign_raw(signed, template.key[0]))

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = self.kept_key
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        algorithm = getattr(hashes, digest_algorithm.upper().replace("-", "_"))()
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(algorithm))
        return super().sign_raw(data, digest_algorithm)


class _SignatureDictionary(pydyf.Dictionary):
    """The signature dictionary, written as an object of its own: in a compressed object
    stream its room for the signature could not be found and filled in the file's bytes."""

    @property
    def compressible(self) -> bool:
        return False


# Fixed-width stand-ins, filled in by `seal` without moving a byte: the byte range has room
# for three ten-digit numbers (the file is far smaller than 10 GB).
_BYTE_RANGE = b"[0 0000000000 0000000000 0000000000]"
_CONTENTS = b"/Contents <"


class CertificateSigner:
    """The Trust's signing identity, loaded once; signs and checks certificate PDFs."""

    def __init__(self, p12_path: str | Path, password: str, location: str = ""):
        try:
            data = Path(p12_path).read_bytes()
        except OSError as exc:
            raise SigningIdentityError(f"cannot read the signing identity {p12_path}: "
                                       f"{exc.strerror}") from exc
        try:
            self.signer = _KeyKeptSigner.from_pkcs12(data, password)
        except ValueError as exc:
            raise SigningIdentityError(
                f"cannot open the signing identity {p12_path}: wrong password, or not a "
                "PKCS#12 file with a private key and its certificate") from exc
        self.certificate: asn1_x509.Certificate = self.signer.signing_cert
        self.location = location
        # The app trusts its own certificate (and the chain the PKCS#12 file carries): a
        # file signed by anyone else is not the Trust's, whatever its signature says.
        self.trusted = [self.certificate, *self.signer.cert_registry]
        self.fingerprint = hashlib.sha256(self.certificate.dump()).hexdigest()
        # Room for the signature, fixed: pyHanko would otherwise sign twice, once only to
        # measure it. A CMS signature is the certificates, the signature value (an RSA
        # one is the key's length, an ECDSA one at most twice it and a few bytes) and
        # attributes of about 500 bytes: 1 KiB is left for those. pyHanko counts the room
        # in hex digits, two per byte. Every byte left unused is a zero in every file
        # stored and sent (the earlier 8 KiB of room left about 5.7 KB of them).
        certificates = sum(len(c.dump()) for c in self.trusted)
        signature = 2 * (self.signer.signing_key.bit_size + 7) // 8 + 16
        self.bytes_reserved = 2 * (certificates + signature + 1024)

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    def add_signature_field(self, pdf: pydyf.PDF, reason: str) -> None:
        """Add to a PDF WeasyPrint is about to write an invisible signature field, and its
        PAdES signature dictionary with room for the signature; `seal` fills it in. (A
        WeasyPrint finisher.) pyHanko added the same as an incremental update, reading
        and rewriting the whole file to do it: most of the signing time."""
        signature = _SignatureDictionary({
            "Type": "/Sig", "Filter": "/Adobe.PPKLite", "SubFilter": "/ETSI.CAdES.detached",
            "M": pydyf.String(datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")),
            "Reason": pydyf.String(reason),
            **({"Location": pydyf.String(self.location)} if self.location else {}),
            "ByteRange": _BYTE_RANGE, "Contents": b"<" + b"0" * self.bytes_reserved + b">"})
        pdf.add_object(signature)
        page = pdf.objects[pdf.pages["Kids"][0]]
        # Printable and locked, with no area: PDF/A asks that an annotation print.
        field = pydyf.Dictionary({
            "FT": "/Sig", "T": pydyf.String(FIELD_NAME), "Type": "/Annot",
            "Subtype": "/Widget", "F": 132, "Rect": pydyf.Array([0, 0, 0, 0]),
            "P": page.reference, "V": signature.reference})
        pdf.add_object(field)
        page.setdefault("Annots", pydyf.Array()).append(field.reference)
        pdf.catalog["AcroForm"] = pydyf.Dictionary({
            "Fields": pydyf.Array([field.reference]), "SigFlags": 3})
        # The PAdES extension to PDF 1.7 the file uses, declared as ISO 32000-1 asks.
        pdf.catalog["Extensions"] = pydyf.Dictionary({"ESIC": pydyf.Dictionary({
            "Type": "/DeveloperExtensions", "BaseVersion": "/1.7", "ExtensionLevel": 1})})

    def seal(self, pdf: bytes) -> bytes:
        """The PDF written with `add_signature_field`, signed: the byte range filled in, and
        the CMS signature over every byte of the file outside its room."""
        at = pdf.rindex(_BYTE_RANGE)
        start = pdf.index(_CONTENTS, at) + len(_CONTENTS) - 1  # the room's "<"
        end = start + self.bytes_reserved + 2  # the room, with its < and >
        ranges = f"[0 {start} {end} {len(pdf) - end}]".encode().ljust(len(_BYTE_RANGE))
        pdf = pdf[:at] + ranges + pdf[at + len(_BYTE_RANGE):]
        digest = hashlib.sha256(pdf[:start])
        digest.update(pdf[end:])
        signature = self._cms(digest.digest()).dump().hex().encode()
        if len(signature) > self.bytes_reserved:
            raise ValueError(f"the signature ({len(signature)} hex digits) is larger than "
                             f"the room kept for it ({self.bytes_reserved})")
        return pdf[:start + 1] + signature.ljust(self.bytes_reserved, b"0") + pdf[end - 1:]

    def _cms(self, digest: bytes) -> cms.ContentInfo:
        made = self.signer.from_template(digest)
        if made is not None:  # the usual case: no event loop needed
            return made
        return _run(lambda: self.signer.async_sign(digest, "sha256", use_pades=True))

    def stated_reasons(self, pdf: bytes) -> list[str]:
        """What a file says about itself: its signatures' reasons and its keywords, where
        the certificate number is written. Never trusted, only used to find the record
        the file claims to be."""
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            said = [str(s.sig_object.get("/Reason", "")) for s in reader.embedded_signatures]
            info = reader.trailer_view.get("/Info")
            if info is not None:
                said.append(str(info.get_object().get("/Keywords", "")))
        except Exception:  # noqa: BLE001 - an unreadable upload says nothing
            return []
        return said

    def check(self, pdf: bytes) -> SignatureCheck:
        """Check the file's signature against the Trust's certificate, offline."""
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            embedded = reader.embedded_signatures
        except Exception:  # noqa: BLE001 - any unreadable upload is simply "not signed"
            return SignatureCheck(signed=False)
        if not embedded:
            return SignatureCheck(signed=False)
        context = ValidationContext(trust_roots=self.trusted, allow_fetching=False,
                                    revocation_mode="soft-fail")
        try:
            status = _run(lambda: async_validate_pdf_signature(embedded[-1], context))
        except Exception:  # noqa: BLE001 - a malformed signature is a broken one
            return SignatureCheck(signed=True)
        return SignatureCheck(
            signed=True, intact=bool(status.intact and status.valid),
            whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            by_the_trust=bool(status.trusted) and hashlib.sha256(
                status.signing_cert.dump()).hexdigest() == self.fingerprint)
