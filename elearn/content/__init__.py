"""Training content: loaded from modules/, validated, kept in memory. No Flask here."""

from elearn.content.loader import ContentError, load_content
from elearn.content.model import Content, Question, QuestionKind, Track, Unit

__all__ = ["ContentError", "load_content", "Content", "Question", "QuestionKind", "Track", "Unit"]
