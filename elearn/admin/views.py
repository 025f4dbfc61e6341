"""Administrators: the audit trail, read-only."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import func, select

from elearn.admin.wording import ACTIONS, action_words, detail_words, subject_words
from elearn.auth.access import roles_required
from elearn.extensions import db
from elearn.models import AuditEvent, Person, Role
from elearn.models.base import UTC
from elearn.url_ids import clamp_page

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
PAGE_SIZE = 100


def _day(value: str | None, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_trail():
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip().lower()
    since, until = _day(request.args.get("from")), _day(request.args.get("to"), end=True)
    query = select(AuditEvent, Person.name, Person.email).outerjoin(
        Person, Person.id == AuditEvent.actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(func.lower(Person.email).contains(actor, autoescape=True))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at <= until)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = clamp_page(request.args.get("page", 1, type=int), pages)
    rows = db.session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)).all()
    return render_template("admin/audit.html", rows=rows, actions=actions, total=total,
                           subjects=subject_words(db.session, (e.subject for e, *_ in rows)),
                           action_words=action_words, detail_words=detail_words,
                           known_actions=ACTIONS,
                           page=page, pages=pages,
                           args=request.args, page_url=lambda p: url_for(
                               "admin.audit_trail", **{**request.args.to_dict(), "page": p}))
