"""Ids in URLs: only numbers the database can hold. A larger one matches no route (404)
instead of reaching the database, which refuses it (a 500): PostgreSQL's INTEGER columns
(every id here) stop at 2**31 - 1, SQLite's at 2**63 - 1."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest signed 32-bit integer: PostgreSQL's INTEGER, the narrowest id column in use
# (found by tests/integration/security/test_route_fuzz.py on PostgreSQL).
DATABASE_INT_MAX = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` bounded to what the database stores; werkzeug's own has no upper bound."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=DATABASE_INT_MAX if max is None else max, signed=signed)


def clamp_page(value: int | None, pages: int) -> int:
    """A page number from the query string, within 1..pages whatever was asked."""
    return min(max(value or 1, 1), max(pages, 1))
