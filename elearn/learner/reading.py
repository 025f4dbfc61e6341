"""How long the policy takes to read, so a learner can plan: words at a steady pace."""

from __future__ import annotations

import math
import weakref

from elearn.content.model import Policy

# 200 words a minute: a careful read of a formal text on a phone, slower than skimming.
WORDS_PER_MINUTE = 200


# Counted once per version loaded (content does not change while the app runs): a home
# page counted a whole policy's words on every visit. By the object's id, forgotten when
# the object goes (so that its id, reused, cannot find another's count).
_counted: dict[int, int] = {}


def policy_words(policy: Policy) -> int:
    words = _counted.get(id(policy))
    if words is None:
        words = _counted[id(policy)] = _count_words(policy)
        weakref.finalize(policy, _counted.pop, id(policy), None)
    return words


def _count_words(policy: Policy) -> int:
    texts = [policy.title]
    for section in policy.sections:
        texts += [section.title, section.intro or ""]
        texts += [clause.text for clause in section.clauses]
    return sum(len(text.split()) for text in texts)


def reading_minutes(policy: Policy) -> int:
    """Whole minutes, rounded up: at least 1."""
    return max(1, math.ceil(policy_words(policy) / WORDS_PER_MINUTE))
