"""Reading a posted question form: positions of an ordering question."""

from werkzeug.datastructures import MultiDict

from elearn.content.model import Option, Question, QuestionKind
from elearn.quiz.forms import kept_input, response_from_form

STEPS = ("propose", "approve", "launch")


def _ordering() -> Question:
    options = tuple(Option(o, o.title(), True, "") for o in STEPS)
    return Question("order", QuestionKind.ORDERING, "Put them in order.", ("c",), options, "")


def test_a_unicode_digit_is_not_a_position():
    form = MultiDict({"position-propose": "²", "position-approve": "1",
                      "position-launch": "3"})
    assert response_from_form(_ordering(), STEPS, form) == ([], "Give every step a position.")
    assert kept_input(_ordering(), STEPS, form) == {"positions": {"approve": 1, "launch": 3}}


def test_positions_make_the_response_in_order():
    form = MultiDict({"position-propose": "2", "position-approve": "3",
                      "position-launch": "1"})
    assert response_from_form(_ordering(), STEPS, form) == (
        ["launch", "propose", "approve"], None)
