import dataclasses
import io
import logging
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import InlineBox

from elearn.certification.render import (
    AssetRefused,
    CertificateContext,
    CertificateRenderer,
    _ReadHTML,
    read_html,
)

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


SAYS_WHAT_IT_PROVES = dataclasses.replace(
    CONTEXT, issued_on="25 November 2026", issued_iso="2026-11-25T14:03:00+00:00",
    signatory_name="Sam Taylor", signatory_role="Head of People", units_passed=12,
    pass_mark=80)


def test_the_certificate_names_its_signatory_and_what_was_assessed(renderer):
    pdf = renderer.render(SAYS_WHAT_IT_PROVES)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Sam Taylor" in text and "Head of People, for the L.E.A.D. Academy Trust" in text
    assert "all 12 units of the track passed, each with at least 80% of answers correct" in text


def test_the_issue_date_is_the_pdfs_creation_date(renderer):
    meta = PdfReader(io.BytesIO(renderer.render(SAYS_WHAT_IT_PROVES))).metadata
    assert meta.creation_date.isoformat() == "2026-11-25T14:03:00+00:00"
    assert "K7QX-M3PD-94TR" in meta["/Keywords"]  # how /verify finds a file's record


def test_no_text_is_smaller_than_8_pt(renderer):
    page = PdfReader(io.BytesIO(renderer.render(SAYS_WHAT_IT_PROVES))).pages[0]
    stream = page["/Contents"].get_object().get_data().decode("latin-1")
    sizes = [float(s) for s in re.findall(r"/\S+ ([\d.]+) Tf", stream)]
    # WeasyPrint draws in CSS pixels (0.75 pt each): 8 pt is 10.67 px.
    assert sizes and min(sizes) * 0.75 >= 7.99, min(sizes) * 0.75


def test_a_signature_image_in_the_design_folder_is_shown_above_the_signatory(tmp_path):
    import shutil

    design = tmp_path / "design"
    shutil.copytree(DESIGN, design)
    (design / "signature.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<path d="M5 50 C 40 0, 80 60, 195 10" stroke="#1d3b5a" fill="none"/></svg>')
    pdf = CertificateRenderer(design).render(SAYS_WHAT_IT_PROVES)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert b"Signature of Sam Taylor" in _alt_texts(root)


def _alt_texts(root) -> bytes:
    found = []

    def walk(element):
        element = element.get_object()
        if element.get("/S") == "/Figure":
            found.append(str(element.get("/Alt")))
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(root["/StructTreeRoot"])
    return " | ".join(found).encode()


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _name_rule_and_text(renderer, name: str) -> list[tuple[float, float, float]]:
    """For each line of the name: the width of its rule (the name's bottom border), of its
    text, and of the padding beside it on that line, in CSS pixels."""
    page = renderer.lay_out(dataclasses.replace(CONTEXT, holder_name=name)).pages[0]
    return [(box.border_width(), sum(t.width for t in _boxes(box) if hasattr(t, "text")),
             box.padding_left + box.padding_right)
            for box in _boxes(page._page_box)
            if isinstance(box, InlineBox) and "name__text" in box.element.get("class", "")]


@pytest.mark.parametrize("name", ["Ava Evans", "Alexandra Catherine Montgomery-Fitzwilliam",
                                  "Wolfeschlegelsteinhausenbergerdorff " * 4])
def test_the_rule_under_the_name_is_as_wide_as_the_name(renderer, name):
    lines = _name_rule_and_text(renderer, name)
    assert lines, "the name's text box was not found"
    for rule, text, padding in lines:
        # 4 mm either side of the name; a wrapped name has it at its two ends only.
        assert padding <= 2 * 4 * 96 / 25.4 + 0.01
        assert rule == pytest.approx(text + padding, abs=1)
    # The frame's text column is 251 mm: no line of the name (or its rule) goes past it.
    assert max(rule for rule, _, _ in lines) <= 251 * 96 / 25.4


def _tree(element) -> list:
    """An element as nested lists: tag, attributes, text, children, tail."""
    return [element.tag, dict(element.attrib), element.text,
            [_tree(child) for child in element], element.tail]


def _certificate_html(renderer, context) -> str:
    return renderer.template.render(**dataclasses.asdict(context), signature_image="s.svg",
                                    qr_data_uri="data:image/png;base64,AAAA")


@pytest.mark.parametrize("context", [CONTEXT, SAYS_WHAT_IT_PROVES, dataclasses.replace(
    CONTEXT, holder_name="Siobhán O'Brien \"Shiv\" & Đặng Thị Hương, 王秀英, محمد")])
def test_the_certificate_read_as_xml_is_the_tree_the_html5_parser_reads(renderer, context):
    html = _certificate_html(renderer, context)
    read = read_html(html, f"{DESIGN}/", renderer.fetch)
    assert isinstance(read, _ReadHTML)
    assert _tree(read.etree_element) == _tree(HTML(string=html).etree_element)


def test_html_that_is_not_well_formed_xml_is_read_by_the_html5_parser(renderer):
    # A character XML forbids in a name, or a designer's unclosed <img>, still renders.
    html = _certificate_html(renderer, dataclasses.replace(CONTEXT, holder_name="Ava\x0bEvans"))
    read = read_html(html, f"{DESIGN}/", renderer.fetch)
    assert not isinstance(read, _ReadHTML)
    assert _tree(read.etree_element) == _tree(HTML(string=html).etree_element)
    unclosed = read_html('<html><body><img src="logo.svg"><p>Ava</p></body></html>',
                         f"{DESIGN}/", renderer.fetch)
    assert [e.tag for e in unclosed.etree_element.iter()] == ["html", "head", "body", "img",
                                                               "p"]


def test_a_certificate_read_as_xml_draws_the_same_page_as_one_read_as_html(renderer):
    html = _certificate_html(renderer, SAYS_WHAT_IT_PROVES)
    base = f"{DESIGN}/"

    def drawn(document) -> list:
        return [(type(box).__name__, round(box.position_x, 3), round(box.position_y, 3),
                 round(box.width, 3), round(box.height, 3), getattr(box, "text", None))
                for box in _boxes(document.pages[0]._page_box)]

    def lay_out(read) -> object:
        return read.render(stylesheets=[renderer.stylesheet], font_config=renderer.fonts)

    assert drawn(lay_out(read_html(html, base, renderer.fetch))) == drawn(
        lay_out(HTML(string=html, base_url=base, url_fetcher=renderer.fetch)))
