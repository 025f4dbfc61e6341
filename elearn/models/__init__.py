"""Database models, one module per part of the domain."""

from elearn.models.audit import AuditEvent
from elearn.models.base import INSERTS, Base, insert_for, utcnow
from elearn.models.certificates import Certificate
from elearn.models.cycles import AnyCycle, CycleInForce, ReviewCycle
from elearn.models.imports import StaffImport
from elearn.models.people import (
    ROLE_LABELS,
    AnyPerson,
    LoginFailure,
    Person,
    PersonRole,
    RateLimitHit,
    Role,
    School,
    SchoolSummary,
    SignedInPerson,
    UsedToken,
)
from elearn.models.reminders import MANUAL, ReminderLog
from elearn.models.training import (
    Answer,
    Attempt,
    AttemptResult,
    CarriedOverPass,
    Completion,
    PolicyAcknowledgement,
)
from elearn.models.understanding import QuestionTally, TalliedAttempt

__all__ = [
    "AuditEvent", "Base", "INSERTS", "insert_for", "utcnow", "Certificate", "ReviewCycle",
    "ROLE_LABELS",
    "LoginFailure", "Person", "PersonRole", "RateLimitHit", "Role", "School", "SchoolSummary",
    "SignedInPerson", "UsedToken", "AnyPerson", "AnyCycle", "CycleInForce",
    "Answer", "Attempt", "AttemptResult", "CarriedOverPass", "Completion",
    "PolicyAcknowledgement", "MANUAL", "ReminderLog", "StaffImport",
    "QuestionTally", "TalliedAttempt",
]
