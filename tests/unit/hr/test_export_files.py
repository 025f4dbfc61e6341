"""Naming the exported files: pure, no app."""

from datetime import date

from elearn.hr.exports import export_filename
from elearn.wording import slug


def test_a_schools_export_names_the_school_the_cycle_and_the_day():
    assert export_filename("xlsx", "Hollybrook Primary Academy", date(2027, 11, 25),
                           date(2026, 11, 25)) == (
        "training-completion-hollybrook-primary-academy-cycle-to-2027-11-25-on-2026-11-25.xlsx")


def test_an_export_of_every_school_is_named_after_the_trust():
    assert export_filename("csv", None, date(2027, 11, 25), date(2026, 12, 1)) == (
        "training-completion-trust-cycle-to-2027-11-25-on-2026-12-01.csv")


def test_a_slug_keeps_only_plain_letters_and_digits():
    assert slug("St. Mary's C of E (VA) — Ruddington") == "st-mary-s-c-of-e-va-ruddington"
    assert slug("Ysgol Llanfair Pwllgwyngyll, Môn") == "ysgol-llanfair-pwllgwyngyll-mon"
    assert slug("!!!") == "school"
