"""Login throttling per account and per address, counted in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from elearn.models import LoginFailure


def failures_since(session: Session, since: datetime, *, account: str | None = None,
                   address: str | None = None) -> int:
    query = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    if account is not None:
        query = query.where(LoginFailure.account == account)
    if address is not None:
        query = query.where(LoginFailure.address == address)
    return session.scalar(query) or 0


def is_throttled(session: Session, account: str, address: str, now: datetime, *,
                 window: timedelta, max_per_account: int, max_per_address: int) -> bool:
    since = now - window
    return (failures_since(session, since, account=account) >= max_per_account
            or failures_since(session, since, address=address) >= max_per_address)


def record_failure(session: Session, account: str, address: str, now: datetime) -> None:
    session.add(LoginFailure(account=account, address=address, at=now))


def clear_account(session: Session, account: str) -> None:
    """A successful sign-in forgives that account's earlier failures."""
    session.execute(delete(LoginFailure).where(LoginFailure.account == account))


def purge_before(session: Session, before: datetime) -> int:
    return session.execute(delete(LoginFailure).where(LoginFailure.at < before)).rowcount
