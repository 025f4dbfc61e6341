"""Every name prints: names in the scripts of the Trust's communities, checked in the PDF's
own fonts (never by eye), and the check that refuses a name the fonts cannot print."""

import io
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from elearn.certification.glyphs import FAMILIES, covered, unprintable
from elearn.certification.render import CertificateContext, CertificateRenderer

DESIGN = Path(__file__).parents[3] / "certificates"
CONTEXT = CertificateContext(
    "L.E.A.D. Academy Trust", "", "Hollybrook Primary Academy", "Staff track",
    "Social Media Policy", "2017-01", "25 November 2026", "25 November 2027", "K7QX-M3PD-94TR",
    "https://elearn.example.org/verify/K7QXM3PD94TR")

NAMES = {
    "Bengali": "ফ্রেয়া বেগম",
    "Gurmukhi": "ਹਰਪ੍ਰੀਤ ਕੌਰ ਸੰਧੂ",
    "Urdu": "عائشہ ڈار",
    "Arabic": "فاطمة الزهراء",
    "Tamil": "தமிழ்செல்வி இராமசாமி",
    "Chinese": "王秀英",
    "Devanagari": "प्रिया शर्मा",
    "Gujarati": "ધ્રુવ પટેલ",
    "Polish": "Zofia Wójcik-Łukasiewicz",
    "Vietnamese": "Nguyễn Thị Hương",
    "Welsh": "Siân Llŷr ap Gwilym",
    "Greek": "Ελένη Παπαδοπούλου",
    "Cyrillic": "Наталья Иванова",
    "Irish and Czech": "Seán Ó Dálaigh-Dvořák",
}

# The faces a certificate may embed: the design's own, never a fallback of the system's.
DESIGN_FACES = re.compile(r"^/[A-Z]{6}\+Noto-(Serif|Naskh-Arabic)")


@pytest.fixture(scope="module")
def renderer():
    return CertificateRenderer(DESIGN)


def _to_unicode(font) -> str:
    """Every character the font's ToUnicode map gives back for the glyphs it holds."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    chars = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            chars.append(bytes.fromhex(text).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(first).decode("utf-16-be"))
            chars += [chr(start + n) for n in range(int(high, 16) - int(low, 16) + 1)]
    return "".join(chars)


def test_the_names_cover_at_least_ten_scripts():
    scripts = {unicodedata.name(ch).split()[0] for name in NAMES.values() for ch in name
               if ch.isalpha()}
    assert len(scripts) >= 10, scripts


@pytest.mark.parametrize("script", NAMES)
def test_the_fonts_have_a_glyph_for_every_character_of_the_name(script):
    assert unprintable(NAMES[script]) == []


@pytest.mark.parametrize("script", NAMES)
def test_a_name_prints_in_the_designs_fonts_with_no_missing_glyph(renderer, script):
    name = NAMES[script]
    page = PdfReader(io.BytesIO(renderer.render(replace(CONTEXT, holder_name=name)))).pages[0]
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    # No fallback face from elsewhere on the system: only the design's Noto faces.
    assert all(DESIGN_FACES.match(f["/BaseFont"]) for f in fonts), [
        f["/BaseFont"] for f in fonts]
    # Glyph 0 is .notdef, the empty box drawn for a character no font has.
    assert "<0000>" not in page["/Contents"].get_object().get_data().decode("latin-1")
    # Every letter of the name maps back through an embedded font's ToUnicode map: each
    # was drawn with a real glyph of a font in the file.
    mapped = unicodedata.normalize("NFC", "".join(_to_unicode(f) for f in fonts))
    missing = {ch for ch in unicodedata.normalize("NFC", name)
               if not ch.isspace() and unicodedata.category(ch) != "Cf" and ch not in mapped}
    assert not missing, missing


def test_a_name_in_a_script_without_a_font_of_the_design_is_found_unprintable():
    found = unprintable("ᏣᎳᎩ Smith")  # Cherokee: no face of the design has it
    assert [u.character for u in found] == ["Ꮳ", "Ꮃ", "Ꭹ"]
    assert "U+13E3 Cherokee Letter Tsa" in found[0].description


def test_spaces_and_joiners_need_no_glyph():
    assert unprintable("Anna\u00a0Maria\u200dX\u200c") == []


def test_every_family_of_the_design_is_installed_and_read():
    assert len(covered(FAMILIES)) > 40000  # CJK alone has tens of thousands


def test_the_stylesheet_names_the_families_the_check_reads():
    css = (DESIGN / "theme.css").read_text()
    stack = re.search(r"body \{[^}]*font-family:([^;]*);", css, re.S).group(1)
    assert tuple(re.findall(r'"([^"]+)"', stack)) == FAMILIES
