"""Rate limits counted in the database: they survive restarts and span every server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, current_app, request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from elearn.extensions import db, read_only_transaction
from elearn.models import RateLimitHit, utcnow


def allow(session: Session, key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count this hit; False when `key` has already had `limit` hits within `window`."""
    since = now - window
    recent = session.scalar(select(func.count()).select_from(RateLimitHit).where(
        RateLimitHit.key == key, RateLimitHit.at >= since)) or 0
    if recent >= limit:
        return False
    session.add(RateLimitHit(key=key, at=now))
    # Old hits are of no further use; removing them here keeps the table small.
    session.execute(delete(RateLimitHit).where(RateLimitHit.key == key,
                                               RateLimitHit.at < since))
    return True


def per_address(config_key: str, window: timedelta = timedelta(minutes=1)) -> Callable:
    """Limit a view to config[config_key] requests per address per window; 429 beyond."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            # This view writes (the hit), so on SQLite it must begin IMMEDIATE even for GET.
            read_only_transaction.set(False)
            key = f"{request.endpoint}:{request.remote_addr}"
            allowed = allow(db.session, key, current_app.config[config_key], window, utcnow())
            db.session.commit()
            if not allowed:
                abort(429)
            return view(*args, **kwargs)

        return wrapped

    return decorator
