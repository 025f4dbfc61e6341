"""Which ID token claims let someone in (elearn/auth/sso.py), as plain rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from elearn.auth.sso import Provider, Refusal, SsoRefused, providers, verified_email

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MICROSOFT = Provider(name="microsoft", label="Microsoft", issuer="https://login.example/t/v2.0",
                     client_id="elearn", client_secret="s", tenants=("tenant-1",))
GOOGLE = Provider(name="google", label="Google", issuer="https://accounts.example",
                  client_id="elearn", client_secret="s", domains=("school.example.org",))


def claims(provider: Provider, **changes) -> dict:
    base = {"iss": provider.issuer, "aud": provider.client_id, "sub": "1",
            "exp": NOW.timestamp() + 600, "email": "Ava@School.Example.org"}
    base |= ({"tid": "tenant-1", "xms_edov": True} if provider is MICROSOFT
             else {"hd": "school.example.org", "email_verified": True})
    return {k: v for k, v in (base | changes).items() if v is not None}


def refusal(provider: Provider, **changes) -> Refusal:
    with pytest.raises(SsoRefused) as caught:
        verified_email(provider, claims(provider, **changes), NOW)
    return caught.value.reason


def test_the_verified_email_is_returned_lower_cased():
    assert verified_email(MICROSOFT, claims(MICROSOFT), NOW) == "ava@school.example.org"
    assert verified_email(GOOGLE, claims(GOOGLE), NOW) == "ava@school.example.org"


def test_an_audience_list_holding_the_client_id_is_accepted():
    assert verified_email(GOOGLE, claims(GOOGLE, aud=["other", "elearn"]), NOW)


def test_another_issuer_or_audience_is_refused_as_an_untrusted_token():
    assert refusal(GOOGLE, iss="https://evil.example") is Refusal.TOKEN
    assert refusal(GOOGLE, aud="someone-else") is Refusal.TOKEN


def test_an_expired_token_or_one_without_expiry_is_refused():
    assert refusal(GOOGLE, exp=NOW.timestamp() - 61) is Refusal.EXPIRED
    assert refusal(GOOGLE, exp="tomorrow") is Refusal.EXPIRED


def test_a_token_just_expired_is_allowed_for_a_minute_of_clock_difference():
    assert verified_email(GOOGLE, claims(GOOGLE, exp=NOW.timestamp() - 59), NOW)


def test_another_tenant_or_domain_is_refused():
    assert refusal(MICROSOFT, tid="tenant-2") is Refusal.ORGANISATION
    assert refusal(MICROSOFT, tid=None) is Refusal.ORGANISATION
    assert refusal(GOOGLE, hd="gmail.com") is Refusal.ORGANISATION
    # A personal Google account has no hosted domain at all.
    assert refusal(GOOGLE, hd=None) is Refusal.ORGANISATION


def test_a_domain_matches_whatever_its_case():
    assert verified_email(GOOGLE, claims(GOOGLE, hd="School.Example.ORG"), NOW)


def test_a_tenant_claim_does_not_satisfy_a_provider_that_allows_domains_only():
    assert refusal(GOOGLE, hd=None, tid="tenant-1") is Refusal.ORGANISATION


def test_an_unverified_or_missing_email_is_refused():
    assert refusal(GOOGLE, email_verified=False) is Refusal.UNVERIFIED
    assert refusal(GOOGLE, email_verified=None) is Refusal.UNVERIFIED
    assert refusal(MICROSOFT, xms_edov=None) is Refusal.UNVERIFIED
    assert refusal(GOOGLE, email=None) is Refusal.UNVERIFIED


def test_a_verified_flag_sent_as_text_counts():
    assert verified_email(GOOGLE, claims(GOOGLE, email_verified="true"), NOW)
    assert refusal(GOOGLE, email_verified="false") is Refusal.UNVERIFIED


def test_each_refusal_says_why_and_whom_to_ask():
    for reason in Refusal:
        why, ask = SsoRefused(reason, "ava@school.example.org").explain("Microsoft")
        assert why and ask and "{" not in why + ask


def test_refusals_of_a_person_are_forbidden_and_broken_replies_bad_requests():
    assert SsoRefused(Refusal.UNKNOWN).status == 403
    assert SsoRefused(Refusal.NONCE).status == 400
    assert SsoRefused(Refusal.THROTTLED).status == 429


def test_providers_are_read_from_the_settings_by_name():
    found = providers({"SSO_PROVIDERS": ({"name": "google", "label": "Google",
                                          "issuer": "https://accounts.example",
                                          "client_id": "c", "client_secret": "s",
                                          "tenants": (), "domains": ("a.org",)},)})
    assert found["google"].callback_path == "/sign-in/sso/google/callback"
