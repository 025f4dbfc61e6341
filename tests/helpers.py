"""Helpers for tests that drive the app like a browser does."""

import re
from html.parser import HTMLParser

PASSWORD = "correct horse battery"


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/sign-in")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page), **extra}
    return client.post("/sign-in", data=data)


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("visually-hidden" in (dict(attrs).get("class") or "")
                              or self._hidden):
            self._hidden += 1
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def table(response, caption: str) -> list[list[str]]:
    """The rows (visible cell texts) of the table whose caption
    contains `caption`."""
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    for t in parser.tables:
        if caption in t["caption"]:
            return t["rows"]
    raise AssertionError(f"no table captioned {caption!r}")
