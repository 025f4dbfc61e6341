"""Can the certificate's fonts print a name? Checked before a certificate is issued. No Flask.

WeasyPrint never refuses text: a character no font has is drawn as an empty box, and the
certificate is stored for good. So every character of the holder's name and school is
looked up in the character maps (cmap) of the font files the design names, found with
fontconfig and read with fontTools (a WeasyPrint dependency).
"""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTCollection, TTFont

# The families theme.css names for the name and school, in its order: Noto, one design
# across the scripts of the Trust's communities.
FAMILIES = (
    "Noto Serif",             # Latin with every diacritic (Polish, Vietnamese, Welsh), Greek,
                              # Cyrillic
    "Noto Serif Bengali",
    "Noto Serif Gurmukhi",
    "Noto Serif Devanagari",
    "Noto Serif Gujarati",
    "Noto Serif Tamil",
    "Noto Naskh Arabic",      # Arabic and Urdu
    "Noto Serif CJK SC",      # Chinese
)

# Characters that are never drawn (spaces, joiners that only steer shaping, direction marks):
# no font needs a glyph for them.
_INVISIBLE_CATEGORIES = {"Zs", "Cf", "Cc"}


class FontsMissing(RuntimeError):
    """A family the design names is not installed: `make system-deps` installs them."""


def font_files(family: str) -> list[tuple[str, int]]:
    """(file, index in a collection) of every face of exactly this family, by fontconfig."""
    listed = subprocess.run(["fc-list", f"{family}:", "file", "index", "family"],
                            capture_output=True, text=True, check=True).stdout
    found = []
    for line in listed.splitlines():
        # "/usr/share/fonts/.../NotoSerif-Regular.ttf: Noto Serif:index=0"
        path, _, rest = line.partition(": ")
        families, _, index = rest.rpartition(":index=")
        if family in families.split(","):
            found.append((path, int(index or 0)))
    return found


def _code_points(path: str, index: int) -> set[int]:
    if path.endswith((".ttc", ".otc")):
        with TTCollection(path, lazy=True) as collection:
            return set(collection.fonts[index].getBestCmap() or {})
    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap() or {})


@lru_cache(maxsize=4)
def covered(families: tuple[str, ...] = FAMILIES) -> frozenset[int]:
    """Every code point some face of these families has a glyph for (read once a process)."""
    points: set[int] = set()
    for family in families:
        files = font_files(family)
        if not files:
            raise FontsMissing(f"the certificate font {family!r} is not installed: run "
                               "`make system-deps` (as root) to install the Noto fonts")
        for path, index in dict.fromkeys(files):
            points |= _code_points(path, index)
    return frozenset(points)


@dataclass(frozen=True)
class Unprintable:
    """A character that no font of the certificate can draw, described for HR."""

    character: str

    @property
    def description(self) -> str:
        name = unicodedata.name(self.character, "unnamed character")
        return f"“{self.character}” (U+{ord(self.character):04X} {name.title()})"


def unprintable(text: str, points: frozenset[int] | None = None) -> list[Unprintable]:
    """The characters of `text` the certificate's fonts have no glyph for, each once."""
    points = covered() if points is None else points
    missing = [ch for ch in dict.fromkeys(unicodedata.normalize("NFC", text))
               if ord(ch) not in points
               and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES]
    return [Unprintable(ch) for ch in missing]
