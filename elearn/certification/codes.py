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


# The characters left out of ALPHABET, as a reader would list them.
NEVER_USED = "0, O, 1, I, L, 2, Z, 5, S, 8 and B"


def problem(typed: str) -> str | None:
    """What is wrong with a typed certificate number, in the reader's words; None if nothing."""
    code = "".join(ch for ch in typed.upper() if ch not in " -")
    if not code:
        return ("Enter the certificate number printed on the certificate, "
                "for example K7QX-M3PD-94TR.")
    unused = sorted({ch for ch in code if ch not in ALPHABET}, key=code.index)
    if unused:
        listed = ", ".join(unused)
        return (f"Certificate numbers never contain {listed}. They avoid characters that "
                f"look alike ({NEVER_USED}), so check the number on the certificate: "
                f"for example, what looks like 0 is probably a Q or a D.")
    if len(code) != LENGTH:
        return (f"A certificate number has {LENGTH} letters and digits; you typed "
                f"{len(code)}. Check the number on the certificate.")
    return None


def display(code: str) -> str:
    """K7QXM3PD94TR → K7QX-M3PD-94TR."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
