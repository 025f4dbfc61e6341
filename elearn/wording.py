"""How the Trust writes dates and counts, in pages, emails and certificates. No Flask here."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime


def long_date(value: date | datetime | None) -> str:
    """25 November 2026: dates as the Trust writes them, in pages and on certificates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def people_count(n: int) -> str:
    """1 person, 3 people: counts of people as pages and messages write them."""
    return f"{n} {'person' if n == 1 else 'people'}"


def days_count(n: int) -> str:
    """1 day, 3 days."""
    return f"{n} day{'s' if n != 1 else ''}"


def slug(text: str) -> str:
    """Hollybrook Primary Academy → hollybrook-primary-academy: ASCII letters and digits
    only (accents dropped), so the name is safe in a header and on any disk."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "school"


def version_words(version: str) -> str:
    """2017-01 → "approved January 2017": a policy version as a reader understands it (a
    bare "2017-01" beside a 2026 deadline reads as out of date)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", version or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return f"version {version}"
    return f"approved {date(int(match.group(1)), int(match.group(2)), 1):%B %Y}"


def training_title(title: str) -> str:
    """"Staff track" → "Staff training": learners read "training", not the word "track"
    the content files use to group units."""
    return re.sub(r"\btrack\b", "training", title, count=1)
