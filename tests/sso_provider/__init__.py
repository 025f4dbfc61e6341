"""Start the test OpenID Connect provider (server.py) as its own process on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

SERVER = Path(__file__).with_name("server.py")
CLIENT_ID = "elearn-test-client"
CLIENT_SECRET = "elearn-test-secret-" + "s" * 20


@dataclass
class Provider:
    """The running provider: its issuer URL and its test-only controls."""

    process: subprocess.Popen
    issuer: str

    def control(self, **settings) -> dict:
        """Set the next user, the registered redirect URIs or a spoiled next token."""
        response = requests.post(f"{self.issuer}/control", json=settings, timeout=10)
        response.raise_for_status()
        return response.json()

    def last_authorize(self) -> dict:
        return requests.get(f"{self.issuer}/control", timeout=10).json()["last_authorize"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()


def start_provider() -> Provider:
    process = subprocess.Popen([sys.executable, str(SERVER), CLIENT_ID, CLIENT_SECRET],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        raise RuntimeError(f"the test OpenID Connect provider did not start: {line!r}")
    return Provider(process=process, issuer=line.removeprefix("listening on "))


# The Trust's settings for the tests: "microsoft" allows one Entra tenant, "google" one
# Workspace domain; both point at the same test provider, so either kind of claim can be sent.
TENANT = "0b5e1a1e-7e57-4c1d-9a11-1ead0000aca0"
DOMAIN = "school.example.org"


def elearn_settings(provider: Provider, domain: str = DOMAIN) -> dict[str, str]:
    settings = {"ELEARN_SSO_PROVIDERS": "microsoft,google",
                "ELEARN_SSO_MICROSOFT_TENANTS": TENANT, "ELEARN_SSO_GOOGLE_DOMAINS": domain}
    for name in ("MICROSOFT", "GOOGLE"):
        settings |= {f"ELEARN_SSO_{name}_ISSUER": provider.issuer,
                     f"ELEARN_SSO_{name}_CLIENT_ID": CLIENT_ID,
                     f"ELEARN_SSO_{name}_CLIENT_SECRET": CLIENT_SECRET}
    return settings


def microsoft_user(email: str, **claims) -> dict:
    """An Entra ID account's claims: tenant id, and the email's domain verified (xms_edov)."""
    return {"sub": "ms-" + email, "name": "Test Person", "email": email, "tid": TENANT,
            "xms_edov": True, **claims}


def google_user(email: str, **claims) -> dict:
    """A Google Workspace account's claims: hosted domain (the email's) and email_verified."""
    return {"sub": "g-" + email, "name": "Test Person", "email": email,
            "hd": email.rpartition("@")[2].lower(),
            "email_verified": True, **claims}
