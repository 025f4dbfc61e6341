from pathlib import Path

import pytest

from elearn.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_SECRET_KEY is not set"):
        load_config(tmp_path, {"ELEARN_ENV": "production"})


def test_production_refuses_a_short_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(tmp_path, {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "short"})


def test_production_refuses_to_start_without_its_public_address(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_BASE_URL is not set"):
        load_config(tmp_path, {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "k" * 40})


PRODUCTION = {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "k" * 40,
              "ELEARN_BASE_URL": "https://elearn.example.org/",
              "ELEARN_SIGNING_P12": __file__, "ELEARN_SIGNING_PASSWORD": "pw",
              "ELEARN_SIGNATORY_NAME": "A Person", "ELEARN_SIGNATORY_ROLE": "Director"}


def test_production_starts_with_a_secret_key_its_address_and_signing_identity(
        tmp_path: Path):
    config = load_config(tmp_path, PRODUCTION)
    assert config["BASE_URL"] == "https://elearn.example.org"
    assert config["SIGNING_P12"] == __file__


def test_production_refuses_to_start_without_a_named_signatory(tmp_path: Path):
    without = {k: v for k, v in PRODUCTION.items() if k != "ELEARN_SIGNATORY_ROLE"}
    with pytest.raises(ConfigError, match="ELEARN_SIGNATORY_ROLE"):
        load_config(tmp_path, without)


def test_development_generates_and_keeps_a_secret_key_in_instance(tmp_path: Path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    second = load_config(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_database_url_defaults_to_sqlite_in_instance(tmp_path: Path):
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elearn.sqlite'}"


def test_plain_postgresql_url_uses_psycopg3(tmp_path: Path):
    config = load_config(tmp_path, {"ELEARN_DATABASE_URL": "postgresql://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_https_base_url_makes_cookies_secure_with_host_prefix(tmp_path: Path):
    config = load_config(tmp_path, {"ELEARN_BASE_URL": "https://elearn.example.org"})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_unknown_mode_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_ENV"):
        load_config(tmp_path, {"ELEARN_ENV": "staging"})


def test_proxy_count_is_read_from_the_environment(tmp_path: Path):
    assert load_config(tmp_path, {"ELEARN_PROXY_COUNT": "1"})["PROXY_COUNT"] == 1
    assert load_config(tmp_path, {})["PROXY_COUNT"] == 0


def test_a_database_server_is_not_pinged_before_every_request_unless_asked(tmp_path: Path):
    url = {"ELEARN_DATABASE_URL": "postgresql://elearn@db.example.org/elearn"}
    options = load_config(tmp_path, url)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": False, "pool_recycle": 300}
    asked = load_config(tmp_path, {**url, "ELEARN_DATABASE_PRE_PING": "1"})
    assert asked["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_a_sqlite_file_is_never_pinged(tmp_path: Path):
    assert load_config(tmp_path, {})["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}


def test_production_refuses_to_start_without_a_signing_identity(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_SIGNING_P12 and ELEARN_SIGNING_PASSWORD"):
        load_config(tmp_path, {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "k" * 40,
                               "ELEARN_BASE_URL": "https://elearn.example.org"})


def test_production_says_how_to_obtain_a_signing_certificate(tmp_path: Path):
    with pytest.raises(ConfigError, match="document-signing certificate from a certificate"):
        load_config(tmp_path, {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "k" * 40,
                               "ELEARN_BASE_URL": "https://elearn.example.org"})


def test_production_refuses_a_signing_identity_that_is_not_a_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not a file"):
        load_config(tmp_path, {**PRODUCTION, "ELEARN_SIGNING_P12": str(tmp_path / "none.p12")})


def test_development_signs_with_the_self_signed_identity_in_instance(tmp_path: Path):
    config = load_config(tmp_path, {})
    assert config["SIGNING_P12"] == str(tmp_path / "dev-signing.p12")


def _sso(tmp_path: Path, **env):
    return load_config(tmp_path, {"ELEARN_ENV": "testing", **env})


def test_sso_providers_are_read_with_their_tenants_and_domains(tmp_path: Path):
    config = _sso(tmp_path, ELEARN_SSO_PROVIDERS="Microsoft, google",
                  ELEARN_SSO_MICROSOFT_ISSUER="https://login.microsoftonline.com/t/v2.0/",
                  ELEARN_SSO_MICROSOFT_CLIENT_ID="id", ELEARN_SSO_MICROSOFT_CLIENT_SECRET="s",
                  ELEARN_SSO_MICROSOFT_TENANTS="t1, t2",
                  ELEARN_SSO_GOOGLE_ISSUER="https://accounts.google.com",
                  ELEARN_SSO_GOOGLE_CLIENT_ID="gid", ELEARN_SSO_GOOGLE_CLIENT_SECRET="gs",
                  ELEARN_SSO_GOOGLE_DOMAINS="School.Example.org")
    microsoft, google = config["SSO_PROVIDERS"]
    assert (microsoft["label"], microsoft["issuer"], microsoft["tenants"]) == (
        "Microsoft", "https://login.microsoftonline.com/t/v2.0", ("t1", "t2"))
    assert (google["label"], google["domains"]) == ("Google", ("school.example.org",))
    assert config["PASSWORD_SIGN_IN"] == "everyone"


def test_no_sso_provider_by_default(tmp_path: Path):
    assert _sso(tmp_path)["SSO_PROVIDERS"] == ()


def test_an_sso_provider_without_its_client_secret_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_SSO_GOOGLE_CLIENT_SECRET"):
        _sso(tmp_path, ELEARN_SSO_PROVIDERS="google", ELEARN_SSO_GOOGLE_ISSUER="https://g",
             ELEARN_SSO_GOOGLE_CLIENT_ID="c", ELEARN_SSO_GOOGLE_DOMAINS="a.org")


def test_an_sso_provider_open_to_every_organisation_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_SSO_GOOGLE_DOMAINS"):
        _sso(tmp_path, ELEARN_SSO_PROVIDERS="google", ELEARN_SSO_GOOGLE_ISSUER="https://g",
             ELEARN_SSO_GOOGLE_CLIENT_ID="c", ELEARN_SSO_GOOGLE_CLIENT_SECRET="s")


def test_password_sign_in_for_administrators_only_needs_a_provider(tmp_path: Path):
    with pytest.raises(ConfigError, match="ELEARN_SSO_PROVIDERS"):
        _sso(tmp_path, ELEARN_PASSWORD_SIGN_IN="admins")
    with pytest.raises(ConfigError, match="everyone or admins"):
        _sso(tmp_path, ELEARN_PASSWORD_SIGN_IN="nobody")


def test_production_refuses_an_sso_issuer_without_https(tmp_path: Path):
    with pytest.raises(ConfigError, match="https://"):
        load_config(tmp_path, {**PRODUCTION, "ELEARN_SSO_PROVIDERS": "google",
                               "ELEARN_SSO_GOOGLE_ISSUER": "http://g",
                               "ELEARN_SSO_GOOGLE_CLIENT_ID": "c",
                               "ELEARN_SSO_GOOGLE_CLIENT_SECRET": "s",
                               "ELEARN_SSO_GOOGLE_DOMAINS": "a.org"})
