import dataclasses
import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from elearn.certification.render import AssetRefused, CertificateContext, CertificateRenderer

DESIGN = Path(__file__).parents[3] / "certificates"
CONTEXT = CertificateContext(
    "L.E.A.D. Academy Trust", "Alexandra Catherine Montgomery-Fitzwilliam-Ashworth <script>&",
    "Hollybrook Primary Academy", "Leaders’ track: handling disclosures", "Social Media Policy",
    "2017-01", "25 November 2026", "25 November 2027", "K7QX-M3PD-94TR",
    "https://elearn.example.org/verify/K7QXM3PD94TR")


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer(DESIGN)


def test_render_makes_one_landscape_page_with_no_weasyprint_warnings(renderer, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = renderer.render(CONTEXT)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Montgomery-Fitzwilliam-Ashworth <script>&" in text
    assert "K7QX-M3PD-94TR" in text and "25 November 2027" in text


def test_pdf_carries_title_author_and_subject_metadata(renderer):
    meta = PdfReader(io.BytesIO(renderer.render(CONTEXT))).metadata
    assert "Certificate" in meta.title and meta.author == "L.E.A.D. Academy Trust"
    assert "Leaders’ track" in meta.subject


def test_pdf_is_tagged_for_screen_readers_in_british_english(renderer):
    root = PdfReader(io.BytesIO(renderer.render(CONTEXT))).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en-GB"
    structure = root["/StructTreeRoot"].get_object()
    figures = []

    def walk(element):
        element = element.get_object()
        if element.get("/S") == "/Figure":
            figures.append(element.get("/Alt"))
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(structure)
    assert "L.E.A.D. Academy Trust" in figures
    assert "QR code linking to https://elearn.example.org/verify/K7QXM3PD94TR" in figures


def test_fetcher_refuses_files_outside_the_design_folder(renderer):
    with pytest.raises(AssetRefused):
        renderer.fetch("file:///etc/passwd")
    with pytest.raises(AssetRefused):
        renderer.fetch(f"file://{DESIGN}/../pyproject.toml")


def test_fetcher_refuses_the_network(renderer):
    with pytest.raises(AssetRefused):
        renderer.fetch("https://example.org/logo.svg")


def test_fetcher_serves_the_designs_own_assets(renderer):
    assert renderer.fetch(f"file://{DESIGN}/theme.css").status == 200


def test_the_widest_certificate_number_stays_on_one_line(renderer):
    # W and M are the widest letters of the alphabet; a number broken at its hyphens
    # cannot be read back or typed into the verification page as printed.
    widest = dataclasses.replace(CONTEXT, certificate_number="WWWW-MMMM-WWWW")
    text = PdfReader(io.BytesIO(renderer.render(widest))).pages[0].extract_text()
    assert "WWWW-MMMM-WWWW" in text
