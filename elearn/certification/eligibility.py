"""Who has completed which track, and what a certificate's status is. Pure rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from elearn.content.model import Track
from elearn.cycles.rules import deadline_passed


def completed_tracks(tracks: Iterable[Track], passed_unit_ids: set[str], acknowledged: bool,
                     today: date, review_date: date) -> list[Track]:
    """Tracks whose every unit is passed in the cycle (or carried over into it), with the
    policy version acknowledged, on or before its review date."""
    if deadline_passed(review_date, today) or not acknowledged:
        return []
    return [t for t in tracks if set(t.unit_ids) <= passed_unit_ids]


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def certificate_status(revoked: bool, valid_until: date, is_current_cycle: bool,
                       today: date) -> CertificateStatus:
    """Revoked beats everything; a certificate expires after its date or when a newer
    review has opened a new cycle."""
    if revoked:
        return CertificateStatus.REVOKED
    if deadline_passed(valid_until, today) or not is_current_cycle:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID
