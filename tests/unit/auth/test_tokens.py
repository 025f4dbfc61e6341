import pytest
from itsdangerous import URLSafeTimedSerializer

from elearn.auth.tokens import INVITE, RESET, TokenError, make_token, read_token, token_matches

SECRET = "s" * 40


def test_token_round_trip_names_the_person():
    token = make_token(SECRET, INVITE, 7, None, "session")
    claim = read_token(SECRET, INVITE, token, 3600)
    assert claim.person_id == 7 and token_matches(claim, None, "session")


def test_tampered_token_is_refused():
    token = make_token(SECRET, INVITE, 7, None, "session")
    with pytest.raises(TokenError, match="not valid"):
        read_token(SECRET, INVITE, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],
                   3600)


def test_token_for_another_purpose_is_refused():
    token = make_token(SECRET, INVITE, 7, None, "session")
    with pytest.raises(TokenError):
        read_token(SECRET, RESET, token, 3600)


def test_expired_token_is_refused():
    token = make_token(SECRET, RESET, 7, "hash", "session")
    with pytest.raises(TokenError, match="expired"):
        read_token(SECRET, RESET, token, -1)


def test_token_stops_matching_once_the_password_changes():
    token = make_token(SECRET, RESET, 7, "old-hash", "session")
    claim = read_token(SECRET, RESET, token, 3600)
    assert not token_matches(claim, "new-hash", "session")


def test_token_signed_with_another_key_is_refused():
    forged = URLSafeTimedSerializer("other" * 10, salt="elearn-invite").dumps([7, "x"])
    with pytest.raises(TokenError):
        read_token(SECRET, INVITE, forged, 3600)
