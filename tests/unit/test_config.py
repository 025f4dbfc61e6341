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


def test_production_starts_with_a_secret_key_and_its_public_address(tmp_path: Path):
    config = load_config(tmp_path, {"ELEARN_ENV": "production", "ELEARN_SECRET_KEY": "k" * 40,
                                    "ELEARN_BASE_URL": "https://elearn.example.org/"})
    assert config["BASE_URL"] == "https://elearn.example.org"


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
