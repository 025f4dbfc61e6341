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

from sqlalchemy import bindparam, delete, func, select
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


# Failures since a time, from an address (and to an account): every sign-in asks both, so
# the statements are built once.
# Core statements on the table, run on the connection: the ORM's handling of them cost more
# than the queries.
_failure = LoginFailure.__table__
_FROM_ADDRESS = (select(func.count(), func.max(_failure.c.at))
                 .where(_failure.c.at >= bindparam("since"),
                        _failure.c.address == bindparam("address")))
_FROM_ADDRESS_TO_ACCOUNT = _FROM_ADDRESS.where(_failure.c.account == bindparam("account"))


def _count_and_latest(session: Session, since: datetime, address: str,
                      account: str | None = None) -> tuple[int, datetime | None]:
    values = {"since": since, "address": address}
    session.flush()  # failures recorded in this transaction count (the ORM's autoflush)
    if account is None:
        count, latest = session.connection().execute(_FROM_ADDRESS, values).one()
    else:
        count, latest = session.connection().execute(_FROM_ADDRESS_TO_ACCOUNT,
                                                     values | {"account": account}).one()
    return count or 0, latest


def _origin_wait_ends(session: Session, origin: str, since: datetime, limits: Limits
                      ) -> datetime | None:
    anyone, latest = _count_and_latest(session, since, address=origin)
    return None if latest is None else latest + wait_after(
        anyone, free=limits.free_per_origin, first=limits.origin_first,
        longest=limits.origin_longest)


def origin_retry_at(session: Session, origin: str, now: datetime, limits: Limits
                    ) -> datetime | None:
    """When anything may next be tried from this origin; None if it may be now."""
    ends = _origin_wait_ends(session, origin, now - limits.window, limits)
    return ends if ends is not None and ends > now else None


def retry_at(session: Session, account: str, origin: str, now: datetime,
             limits: Limits) -> datetime | None:
    """When this account may next be tried from this origin; None if it may be now."""
    since = now - limits.window
    pair, pair_latest = _count_and_latest(session, since, account=account, address=origin)
    waits = [now, _origin_wait_ends(session, origin, since, limits) or now]
    if pair_latest is not None:
        waits.append(pair_latest + wait_after(pair, free=limits.free_per_pair,
                                              first=limits.pair_first,
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
