"""Helpers for tests that drive the app like a browser does."""

import re

PASSWORD = "correct horse battery"


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/sign-in")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page), **extra}
    return client.post("/sign-in", data=data)
