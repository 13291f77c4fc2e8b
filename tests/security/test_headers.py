"""Security headers and cookies (ASVS 3.4, 14.4), under test and production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] if " " in p else "" for p in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/accessibility/", "/healthz"])
def test_public_pages_send_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_csp_allows_no_inline_script_and_no_framing(client, officer):
    client.force_login(officer)
    csp = _csp(client.get("/"))
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"


def test_sign_in_page_has_no_inline_script(client):
    html = client.get("/accounts/login/").content.decode()
    # Every <script> loads a file; none carries code or an event handler attribute.
    import re

    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in tag and not body.strip()
    assert not re.search(r"\son[a-z]+=", html)


def test_session_and_csrf_cookies_are_httponly(client, officer):
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["httponly"]
    client.post("/accounts/login/", {"username": "priya", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


_PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
# /healthz renders no static files, so the probe needs no collectstatic.
plain = client.get("/healthz", HTTP_HOST="portal.example.gov.uk")
secure = client.get("/healthz", secure=True, HTTP_HOST="portal.example.gov.uk")
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "httponly": settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY,
}))
"""


def test_production_settings_redirect_to_https_and_send_hsts():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        {"DEBUG": "false", "SECRET_KEY": "k3y-" + "q9Z!" * 16, "ALLOWED_HOSTS": "portal.example.gov.uk"}
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301
    assert probe["plain_location"].startswith("https://")
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["csrf_secure"] and probe["session_secure"] and probe["httponly"]
    assert "script-src 'self'" in probe["csp"]
