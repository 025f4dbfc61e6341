"""Sign-in throttling that slows a guesser without shutting the owner out.

Failures are counted in the database (they survive restarts and span servers) per
account-and-origin pair and per origin. An origin is the network address, or, for a browser
that has signed in to this account before, that browser (a signed device cookie, see
elearn.auth.devices). Beyond a few free failures each further attempt from that origin waits
a delay that doubles with every failure, up to a cap. Nothing is counted per account alone:
a guesser elsewhere can never lock the owner out, and a school's shared address under attack
does not stop the people behind it who signed in from their browsers before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.orm import Session

from elearn.models import LoginFailure


@dataclass(frozen=True)
class Limits:
    window: timedelta  # failures older than this are forgotten
    free_per_pair: int  # failures for one account from one origin before any wait
    free_per_origin: int  # failures from one origin, whatever the accounts, before any wait
    pair_first: timedelta = timedelta(minutes=1)
    pair_longest: timedelta = timedelta(hours=1)
    origin_first: timedelta = timedelta(minutes=1)
    origin_longest: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
                   config["LOGIN_FREE_FAILURES_PER_PAIR"],
                   config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


def wait_after(failures: int, *, free: int, first: timedelta, longest: timedelta) -> timedelta:
    """The wait after the latest of `failures`: none for the first `free`, then `first`,
    doubling with each further failure, never more than `longest`."""
    if failures <= free:
        return timedelta(0)
    return min(first * 2 ** min(failures - free - 1, 30), longest)


# Failures since a time from an address: all of them, and those to one account. Every
# sign-in asks both, in one statement (a round trip less), built once; Core on the
# connection, since the ORM's handling of it cost more than the query.
_failure = LoginFailure.__table__
_to_account = _failure.c.account == bindparam("account")
_FROM_ADDRESS = (select(func.count(), func.max(_failure.c.at),
                        func.count(case((_to_account, 1))),
                        func.max(case((_to_account, _failure.c.at))))
                 .where(_failure.c.at >= bindparam("since"),
                        _failure.c.address == bindparam("address")))


@dataclass(frozen=True)
class _Failures:
    """Failures from one origin in the window: all, and those to the account asked about."""

    from_origin: int
    origin_latest: datetime | None
    to_account: int
    account_latest: datetime | None


def _failures(session: Session, since: datetime, address: str, account: str) -> _Failures:
    session.flush()  # failures recorded in this transaction count (the ORM's autoflush)
    row = session.connection().execute(
        _FROM_ADDRESS, {"since": since, "address": address, "account": account}).one()
    return _Failures(row[0] or 0, row[1], row[2] or 0, row[3])


def _origin_wait_ends(failures: _Failures, limits: Limits) -> datetime | None:
    latest = failures.origin_latest
    return None if latest is None else latest + wait_after(
        failures.from_origin, free=limits.free_per_origin, first=limits.origin_first,
        longest=limits.origin_longest)


def origin_retry_at(session: Session, origin: str, now: datetime, limits: Limits
                    ) -> datetime | None:
    """When anything may next be tried from this origin; None if it may be now."""
    # An account no address can be (an empty string): only the origin's count matters.
    ends = _origin_wait_ends(_failures(session, now - limits.window, origin, ""), limits)
    return ends if ends is not None and ends > now else None


def retry_at(session: Session, account: str, origin: str, now: datetime,
             limits: Limits) -> datetime | None:
    """When this account may next be tried from this origin; None if it may be now."""
    failures = _failures(session, now - limits.window, origin, account)
    waits = [now, _origin_wait_ends(failures, limits) or now]
    if failures.account_latest is not None:
        waits.append(failures.account_latest + wait_after(
            failures.to_account, free=limits.free_per_pair, first=limits.pair_first,
            longest=limits.pair_longest))
    latest = max(waits)
    return latest if latest > now else None


def record_failure(session: Session, account: str, origin: str, now: datetime) -> None:
    session.add(LoginFailure(account=account, address=origin[:64], at=now))


def clear_account(session: Session, account: str) -> None:
    """A successful sign-in, a completed reset or an accepted invitation proves the owner:
    the account's earlier failures, from every origin, are forgiven."""
    session.flush()  # and failures recorded in this transaction go too
    session.connection().execute(_FORGIVE, {"account": account})


_FORGIVE = delete(_failure).where(_failure.c.account == bindparam("account"))


def purge_before(session: Session, before: datetime) -> int:
    return session.execute(delete(LoginFailure).where(LoginFailure.at < before)).rowcount
