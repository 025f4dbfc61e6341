"""What templates share: filters for dates and counts, form helpers, labels."""

from __future__ import annotations

from collections import ChainMap
from datetime import datetime
from typing import Any, NamedTuple

import jinja2
import jinja2.runtime
from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from elearn.certification.codes import display as display_code
from elearn.current import has_my_training_page
from elearn.models import ROLE_LABELS, Role, SignedInPerson
from elearn.wording import long_date, people_count, training_title, version_words


def form_error_list(form) -> list[tuple[str, str]]:
    """(field id, message) pairs for the error summary, in the form's field order."""
    return [(f.id, message) for f in form for message in f.errors if f.type != "CSRFTokenField"]


def field_attrs(field, hint: str | None, autocomplete: str | None,
                invalid: bool | None = None) -> dict[str, str]:
    """Attributes tying an input to its hint and error for screen readers; `invalid` marks a
    field whose error the view found (a wrong password) rather than the form."""
    invalid = bool(field.errors) if invalid is None else invalid
    described = [f"{field.id}-hint"] if hint else []
    described += [f"{field.id}-error"] if invalid else []
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if invalid:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return attrs


def hidden_fields(form) -> Markup:
    """A form's hidden fields (the CSRF token) without ids: a page with two forms would
    otherwise carry two elements with id="csrf_token", which HTML forbids."""
    return Markup("").join(f(id=False) for f in form
                           if f.type in ("HiddenField", "CSRFTokenField"))


def csrf_field() -> Markup:
    """The CSRF token as a hidden input, for a form that has no fields of its own to check
    (start, answer, submit): CSRFProtect checks it. Building a FlaskForm only to print its
    token cost more than the rest of the form."""
    app = current_app._get_current_object()
    if app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return _hidden_token(generate_csrf())  # tokens that expire: signed on each page
    return _signed_field(app)


def _hidden_token(token: str) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


_SIGNED_FIELDS_KEPT = 10_000


def _signed_field(app: Flask) -> Markup:
    """The session's CSRF field, signed and written once per session and worker. With no
    time limit on tokens (WTF_CSRF_TIME_LIMIT None, see config) the one signed at a
    session's first page is as good as a new one, and signing again (deriving the key,
    JSON, base64, HMAC) on every page was a tenth of a question page's time (125 of
    1,350 µs in process); writing the field again, a fiftieth."""
    kept = app.extensions.setdefault("elearn_signed_csrf_fields", {})
    name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    the_session = session._get_current_object()
    raw = the_session.get(name)
    field = kept.get(raw) if raw is not None else None
    if field is None:
        field = _hidden_token(generate_csrf())  # which makes the session's raw token if none
        raw = the_session.get(name)
        if raw is not None:
            if len(kept) >= _SIGNED_FIELDS_KEPT:
                kept.clear()  # a bound, not a cache policy: each is signed again when asked
            kept[raw] = field
    return field


def question_kind(question):
    """The macros of a question's kind (single, multiple, ordering...): its template as a
    module, made once. `{% import %}` reuses the module too, but compares the page's
    globals with the module's on every page first: a fortieth of a question page."""
    return current_app.jinja_env.get_template(question.spec.template).module


# What a learner reads for each state of a unit: calm words, the same as the result page's.
STATE_LABELS = {
    "not started": "Not started",
    "in progress": "In progress",
    "passed": "Passed",
    "carried over": "Passed last time: still counts",
    "failed - retake": "Not passed yet: retake",
}


def fixed_url(endpoint: str, **values) -> str:
    """url_for for an address that cannot change while the app runs (the navigation's, a
    static file's, a unit's): built once per app and script root. Building the ten on every
    page was a tenth of its rendering time. The keys are the templates' own endpoints with
    values from the content (unit ids), never a request's: a bounded set."""
    known = current_app._get_current_object().extensions.setdefault("elearn_fixed_urls", {})
    key = (request._get_current_object().script_root, endpoint, *sorted(values.items()))
    url = known.get(key)
    if url is None:
        url = known[key] = url_for(endpoint, **values)
    return url


class PageLinks(NamedTuple):
    """The addresses in every page's header and footer."""

    home: str
    sign_out: str
    verify: str
    stylesheet: str
    logo: str


def page_links() -> PageLinks:
    """The header's and footer's addresses, built once per app and script root: asking for
    the five on every page was a tenth of a question page's rendering."""
    app = current_app._get_current_object()
    script_root = request._get_current_object().script_root
    known = app.extensions.setdefault("elearn_page_links", {})
    links = known.get(script_root)
    if links is None:
        static_url = app.jinja_env.globals["static_url"]
        links = known[script_root] = PageLinks(
            home=url_for("learner.home"), sign_out=url_for("auth.sign_out"),
            verify=url_for("certificates.verify_form"), stylesheet=static_url("app.css"),
            logo=static_url("logo.svg"))
    return links


# The section of the site each page belongs to, for the navigation's aria-current.
_SECTIONS = {"learner.home": "home", "learner.policy": "policy", "learner.my_data": "my_data"}
_SECTIONS_BY_BLUEPRINT = {"hr": "hr", "cycles": "hr", "people": "hr", "understanding": "hr",
                          "admin": "admin"}


def main_navigation(person: SignedInPerson) -> Markup:
    """The navigation's links for the signed-in person (the page's `current_user`): rendered
    once for each combination of roles and section of the site, and kept (a bounded set).
    Its dozen conditions and addresses were a tenth of a page's rendering, on every page."""
    # Flask's request and app read once: each read through their proxies costs about 1 µs.
    req, app = request._get_current_object(), current_app._get_current_object()
    section = _SECTIONS.get(req.endpoint) or _SECTIONS_BY_BLUEPRINT.get(req.blueprint)
    # The roles decide the links (has_my_training_page too: tracks are by role).
    key = (req.script_root, person.roles, section)
    kept = app.extensions.setdefault("elearn_navigation", {})
    if key not in kept:
        kept[key] = Markup(app.jinja_env.get_template("navigation.html").render(
            section=section, my_training=has_my_training_page(),
            completion=person.has_role(Role.HR, Role.LEADER),
            administrator=person.has_role(Role.ADMIN)))
    return kept[key]


def _title_says_error() -> str:
    """Called by the error summary: the page's title will begin "Error:" (see init_app)."""
    g.page_has_error = True
    return ""


def _long_iso_date(iso: str | None) -> str:
    # "My data" holds ISO strings (the same values as its JSON download); people read dates.
    return long_date(datetime.fromisoformat(iso)) if iso else ""


class _TemplateOnSharedGlobals(jinja2.Template):
    """A template that, with no globals of its own, starts each page's context from the
    environment's globals themselves. Jinja hands it a ChainMap of the two, and copying
    that name by name (27 names) was about 11 µs of every page: a sixtieth of a question
    page. With globals of its own (`get_template(..., globals=)`) it is Jinja's template."""

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: dict[str, Any] | None = None) -> jinja2.runtime.Context:
        names = self.globals
        if isinstance(names, ChainMap) and len(names.maps) == 2 and not names.maps[0]:
            names = names.maps[1]
        return jinja2.runtime.new_context(self.environment, self.name, self.blocks, vars,
                                          shared, names, locals)


def init_app(app: Flask) -> None:
    app.jinja_env.template_class = _TemplateOnSharedGlobals
    app.jinja_env.globals.update(
        title_says_error=_title_says_error, has_my_training_page=has_my_training_page,
        STATE_LABELS=STATE_LABELS, field_attrs=field_attrs, form_error_list=form_error_list,
        ROLE_LABELS=ROLE_LABELS, Role=Role, hidden_fields=hidden_fields,
        csrf_field=csrf_field, fixed_url=fixed_url,
        main_navigation=main_navigation, question_kind=question_kind)
    app.jinja_env.filters.update(
        long_date=long_date, people=people_count, version_words=version_words,
        training_title=training_title, long_iso_date=_long_iso_date,
        certificate_number=display_code, short_date=lambda value: f"{value.day} {value:%b %Y}")

    @app.context_processor
    def _globals() -> dict:
        # The person itself, not Flask-Login's proxy: a page asks it a dozen things, and each
        # question through the proxy looked the person up again in the request's context.
        return {"trust_name": app.config["TRUST_NAME"],
                "current_user": current_user._get_current_object(),
                "links": page_links() if has_request_context() else None}

    @app.after_request
    def _error_in_title(response):
        # The title is the first thing a screen reader announces on a new page; the error
        # summary is rendered after it, so the word is added once the page is complete.
        if g.get("page_has_error") and response.mimetype == "text/html":
            response.set_data(response.get_data().replace(b"<title>", b"<title>Error: ", 1))
        return response
