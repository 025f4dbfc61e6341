"""Certificate PDFs: plain values → autoescaped Jinja → WeasyPrint → bytes.

The URL fetcher serves only files inside certificates/ and data: URIs, so a template can
never reach the network or the rest of the disk. One FontConfiguration is shared.
"""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import cssselect2
import qrcode
import qrcode.constants
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse, ensure_url

from elearn.certification.signing import CertificateSigner

# PDF/A-3u is WeasyPrint's documented variant for archiving: fonts embedded, text
# extractable (Unicode), so the certificate reads the same in twenty years.
PDF_VARIANT = "pdf/a-3u"

# Mask pattern 0 (a checkerboard): see qr_data_uri.
QR_MASK_PATTERN = 0


@dataclass(frozen=True)
class CertificateContext:
    """Everything the template may show: plain strings, never ORM objects."""

    trust_name: str
    holder_name: str
    school_name: str
    track_title: str
    policy_title: str
    policy_version: str
    completed_on: str
    valid_until: str
    certificate_number: str
    verify_url: str
    # Issued on, as printed and as ISO 8601 (the PDF's creation date metadata).
    issued_on: str = ""
    issued_iso: str = ""
    signatory_name: str = ""
    signatory_role: str = ""
    # What was assessed: how many units were passed, and the track's pass mark (per cent).
    units_passed: int = 0
    pass_mark: int = 0


class AssetRefused(ValueError):
    pass


class _ReadHTML(HTML):
    """A WeasyPrint document from a tree already read, for a template written as
    well-formed XML: expat reads it in 40 µs where WeasyPrint's HTML5 parser took 2 ms,
    3% of a certificate's rendering."""

    def __init__(self, root: ElementTree.Element, base_url: str, url_fetcher) -> None:
        # What HTML.__init__ sets after parsing (WeasyPrint 68); the tests compare the
        # tree with the HTML5 parser's and the certificates made both ways.
        self.base_url, self.url_fetcher, self.media_type = ensure_url(base_url), url_fetcher, \
            "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element


def read_html(html: str, base_url: str, url_fetcher) -> HTML:
    """The certificate's HTML as a WeasyPrint document, read as XML when it is well-formed
    and by WeasyPrint's HTML5 parser otherwise (a designer's template with an unclosed
    tag, or a name with a character XML forbids)."""
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    body = root.find("body")
    # A <base> element would change where the design's files are looked for.
    if root.tag != "html" or body is None or root.find("head/base") is not None:
        return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    # Whitespace the HTML5 parser drops (before <head>) or moves inside <body> (after
    # it): the two trees are then the same, element for element and space for space.
    root.text, moved, body.tail = None, body.tail or "", None
    if len(body):
        body[-1].tail = (body[-1].tail or "") + moved
    else:
        body.text = (body.text or "") + moved
    return _ReadHTML(root, base_url, url_fetcher)


def signature_reason(context: CertificateContext) -> str:
    """The signature's stated reason, shown by PDF viewers; it names the certificate number,
    which is how /verify finds the record a file claims to be."""
    return (f"Certificate {context.certificate_number} of completion issued by "
            f"{context.trust_name} to {context.holder_name}")


def qr_data_uri(url: str) -> str:
    """The verification address as a QR code, a small PNG (one pixel per module).

    WeasyPrint draws a PNG far faster than an SVG path of hundreds of modules; the CSS
    scales it with crisp edges, so it prints as sharply as a vector.

    The mask pattern is fixed: choosing the "best" of the eight scores each one in pure
    Python and was the slowest step of the whole code (about 6 ms a certificate). Any mask
    is valid QR and every reader decodes all eight; the penalty score only avoids patterns
    that could confuse a poor scanner, which error correction level M absorbs.
    """
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M,
                         mask_pattern=QR_MASK_PATTERN)
    code.add_data(url)
    # The module matrix (quiet zone included) straight into a one-bit image: qrcode's own
    # image factory draws every module as a rectangle, slower than the code itself.
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class CertificateRenderer:
    """Renders certificates from one design folder; build once, use for every certificate."""

    def __init__(self, design_dir: str | Path, signer: CertificateSigner | None = None,
                 signatory_name: str = "", signatory_role: str = ""):
        self.design_dir = Path(design_dir).resolve()
        self.signatory_name, self.signatory_role = signatory_name, signatory_role
        # Every certificate the app issues is signed; unsigned rendering is for the bench
        # and the design's own tests.
        self.signer = signer
        # An optional picture of the signatory's signature, shown above their name.
        self.signature_image = next((p.name for p in sorted(self.design_dir.glob(
            "signature.*")) if p.suffix in {".png", ".svg"}), None)
        self.env = Environment(loader=FileSystemLoader(self.design_dir),
                               autoescape=select_autoescape(["html"], default=True))
        self.template = self.env.get_template("template.html")
        self.fonts = FontConfiguration()
        self.stylesheet = CSS(filename=str(self.design_dir / "theme.css"),
                              font_config=self.fonts, url_fetcher=self.fetch)
        self.version = self._design_version()
        self.design_images: dict[str, object] = {}

    def _design_version(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.design_dir.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".svg", ".png"}:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def fetch(self, url: str, timeout: int = 10, ssl_context=None):
        """Serve data: URIs and files inside the design folder; refuse everything else."""
        if url.startswith("data:"):
            # urllib's DataHandler decodes data: URIs in memory; nothing leaves the process.
            with urllib.request.urlopen(url) as response:
                return URLFetcherResponse(url, body=response.read(), headers={
                    "Content-Type": response.headers.get_content_type()})
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise AssetRefused(f"certificate assets must be local: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.design_dir) or not path.is_file():
            raise AssetRefused(f"outside the certificate design folder: {url}")
        mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
        return URLFetcherResponse(url, body=path.read_bytes(), headers={
            "Content-Type": mime.get(path.suffix, "application/octet-stream")})

    def render(self, context: CertificateContext) -> bytes:
        """The certificate as PDF/A-3u bytes, signed when the renderer has a signer."""
        if self.signer is None:
            return self.render_unsigned(context)
        return self.signer.seal(self.render_for_sealing(context))

    def render_for_sealing(self, context: CertificateContext) -> bytes:
        """The certificate with its signature field and the room for the signature, which
        the signer's `seal` fills in."""
        reason = signature_reason(context)
        return self._write(context, lambda _document, pdf: self.signer.add_signature_field(
            pdf, reason))

    def render_unsigned(self, context: CertificateContext) -> bytes:
        return self._write(context, None)

    def _write(self, context: CertificateContext, finisher) -> bytes:
        out = io.BytesIO()
        # Tagged: a screen reader reads the certificate in order, with the images' alt text
        # (measured: no dearer to render than untagged).
        self.lay_out(context).write_pdf(out, pdf_variant=PDF_VARIANT, pdf_tags=True,
                                        finisher=finisher)
        return out.getvalue()

    def lay_out(self, context: CertificateContext) -> Document:
        """The certificate laid out on its page, before it is written as a PDF."""
        html = self.template.render(**asdict(context), signature_image=self.signature_image,
                                    qr_data_uri=qr_data_uri(context.verify_url))
        # The design folder's pictures (the logo, a signature) are the same on every
        # certificate: read and parsed once, then handed to each render in WeasyPrint's
        # image cache. The QR code, a data: URI different on each, is never kept.
        images = dict(self.design_images)
        document = read_html(html, str(self.design_dir) + "/", self.fetch).render(
            stylesheets=[self.stylesheet], font_config=self.fonts, cache=images)
        if not self.design_images:
            self.design_images = {url: image for url, image in images.items()
                                  if url.startswith("file:") and image is not None}
        return document
