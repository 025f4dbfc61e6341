"""Certificate numbers: random, unambiguous, easy to read aloud and type."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: nothing a reader can mistake for something else.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 12  # 25^12 ≈ 6e16 codes: guessing one is hopeless even without the rate limit


def new_code() -> str:
    """A fresh random code (not sequential, not derived from anything)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """Turn what someone typed (any case, spaces or hyphens) into a code, or None."""
    code = "".join(ch for ch in typed.upper() if ch not in " -")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display(code: str) -> str:
    """K7QXM3PD94TR → K7QX-M3PD-94TR."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
