from elearn.auth.passwords import hash_password, password_problem, verify_password


def test_hash_is_argon2id_with_owasp_parameters():
    stored = hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in stored


def test_verify_accepts_the_right_password_and_refuses_a_wrong_one():
    stored = hash_password("a long enough passphrase")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")


def test_verify_with_no_stored_hash_is_false():
    assert not verify_password(None, "anything at all")


def test_short_password_is_refused():
    assert "at least 8" in password_problem("short")


def test_common_password_is_refused_whatever_its_case():
    assert "too common" in password_problem("Password123")


def test_password_equal_to_email_is_refused():
    assert password_problem("ann@school.org", "ann@school.org")


def test_long_uncommon_password_without_symbols_is_accepted():
    assert password_problem("purple elephants dance slowly") is None
