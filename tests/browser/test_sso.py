"""Sign-in with the school's Microsoft or Google account, the whole round trip in Chromium:
elearn → the test OpenID Connect provider (its own process, tests/sso_provider) → elearn.

A server of its own, configured with the provider, beside the session's; the same Chromium.
"""

from __future__ import annotations

import pytest
from browser.harness import A11yTracker, start_live_server
from browser.journeys import click_to, sign_out, visit
from sqlalchemy import func, select
from sso_provider import elearn_settings, google_user, microsoft_user

from elearn.extensions import db
from elearn.models import AuditEvent, Base, Person

CENTRAL_DOMAIN = "leadacademytrust.example.org"  # the demo's Trust office, for "google"


@pytest.fixture(scope="module")
def sso_server(oidc_provider, tmp_path_factory):
    settings = elearn_settings(oidc_provider, domain=CENTRAL_DOMAIN)
    server = start_live_server(tmp_path_factory.mktemp("sso-live"), settings, seed=False)
    yield server
    server.stop()


@pytest.fixture
def sso_page(chromium, sso_server):
    context = chromium.new_context(base_url=sso_server.url, locale="en-GB",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.a11y = A11yTracker(page)
    yield page
    try:
        page.a11y.assert_all_checked()
    finally:
        context.close()


def at_provider(provider, server, user, spoil=None) -> None:
    """Who signs in at the provider next, and whether it spoils the next ID token."""
    provider.control(user=user, next_token=spoil, redirect_uris=[
        f"{server.url}/sign-in/sso/{name}/callback" for name in ("microsoft", "google")])


def row_counts(server) -> dict[str, int]:
    with server.app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def last_event(server) -> tuple[str, dict]:
    with server.app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        return event.action, event.details


def test_a_member_of_staff_signs_in_with_microsoft_and_out_again(sso_page, sso_server,
                                                                 oidc_provider):
    page = sso_page
    at_provider(oidc_provider, sso_server, microsoft_user(sso_server.people["staff"].upper()))
    visit(page, "/sign-in", "sign-in-sso", docs=True)
    buttons = page.locator("main a.button").all_inner_texts()
    assert buttons == ["Sign in with Microsoft", "Sign in with Google"]
    click_to(page, "text=Sign in with Microsoft")
    assert page.locator("h1").inner_text().startswith("Hello"), page.url
    assert last_event(sso_server) == ("sign-in", {"via": "microsoft"})
    sign_out(page)


def _make_inactive(server) -> str:
    email = server.people["staff_phone"]
    with server.app.app_context():
        db.session.scalar(select(Person).where(Person.email == email)).active = False
        db.session.commit()
    return email


REFUSALS = {
    # case: (user at the provider, given the server; spoiled token; status; words on the page)
    "unknown email": (lambda s: microsoft_user(f"stranger@{CENTRAL_DOMAIN}"), None, 403,
                      f"elearn does not know stranger@{CENTRAL_DOMAIN}"),
    "inactive person": (lambda s: microsoft_user(_make_inactive(s)), None, 403,
                        "HR has recorded that you have left"),
    "wrong tenant": (lambda s: microsoft_user(s.people["staff"], tid="another-tenant"), None,
                     403, "does not belong to a school of the Trust"),
    "wrong domain": (lambda s: google_user(s.people["hr"], hd="gmail.com"), None, 403,
                     "does not belong to a school of the Trust"),
    "unverified email": (lambda s: google_user(s.people["hr"], email_verified=False), None,
                         403, "did not confirm that the email address"),
    "tampered ID token": (lambda s: microsoft_user(s.people["staff"]), "tampered", 400,
                          "reply could not be verified"),
    "expired ID token": (lambda s: microsoft_user(s.people["staff"]), "expired", 400,
                         "reply had expired"),
    "wrong nonce": (lambda s: microsoft_user(s.people["staff"]), "wrong-nonce", 400,
                    "reply was not for this sign-in"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_sign_in_says_why_and_whom_to_ask(case, sso_page, sso_server, oidc_provider):
    page = sso_page
    who, spoil, status, words = REFUSALS[case]
    user = who(sso_server)
    via = "Google" if "hd" in user else "Microsoft"
    at_provider(oidc_provider, sso_server, user, spoil)
    visit(page, "/sign-in")
    before = row_counts(sso_server)
    with page.expect_navigation() as navigation:
        page.click(f"text=Sign in with {via}")
    assert navigation.value.status == status
    page.a11y.check(case)
    assert page.locator("h1").inner_text() == "You are not signed in"
    assert words in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="What to do").is_visible()
    # Nothing stored but the audit entry (and the throttling count a wrong password leaves).
    assert row_counts(sso_server) == {**before, "audit_event": before["audit_event"] + 1,
                                      "login_failure": before["login_failure"] + 1}
    assert last_event(sso_server)[0] == "sign-in-refused"
    click_to(page, "text=Back to the sign-in page")
    assert page.locator("h1").inner_text() == "Sign in"


def test_a_replayed_callback_is_refused(sso_page, sso_server, oidc_provider):
    page = sso_page
    at_provider(oidc_provider, sso_server, microsoft_user(sso_server.people["dsl"]))
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/callback?" in r.url else None)
    visit(page, "/sign-in")
    click_to(page, "text=Sign in with Microsoft")
    assert page.locator("h1").inner_text().startswith("Hello")
    sign_out(page)
    before = row_counts(sso_server)
    visit(page, callbacks[0], "sso-refused", status=400)
    assert "already been used" in page.locator("main").inner_text()
    assert row_counts(sso_server) == {**before, "audit_event": before["audit_event"] + 1,
                                      "login_failure": before["login_failure"] + 1}
    assert last_event(sso_server) == ("sign-in-refused",
                                      {"via": "microsoft", "reason": "replayed-state"})
    assert "/sign-in" in page.goto("/").url
    page.a11y.check()
