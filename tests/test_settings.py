"""Production settings refuse to start unsafely, and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["PORTAL_ENV_FILE"] = ""  # not the checkout's developer .env
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_without_secret_key():
    result = _django({"DEBUG": "false", "ALLOWED_HOSTS": "portal.example.gov.uk"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_without_allowed_hosts():
    result = _django({"DEBUG": "false", "SECRET_KEY": "x" * 64}, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_passes_check_deploy():
    result = _django(
        {"DEBUG": "false", "SECRET_KEY": "k3y-" + "q9Z!" * 16, "ALLOWED_HOSTS": "portal.example.gov.uk"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
