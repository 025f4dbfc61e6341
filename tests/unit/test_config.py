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
