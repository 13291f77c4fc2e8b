"""Security review, finding 8: the compose stack publishes nothing beyond loopback, runs with
debug off, and the image holds only the locked packages and the code."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_loopback_ports_are_published():
    published = {name: s.get("ports", []) for name, s in COMPOSE["services"].items() if s.get("ports")}
    assert set(published) == {"web", "mail"}
    assert published["mail"] == ["127.0.0.1:8025:8025"]
    assert published["web"] == ["127.0.0.1:8000:8000"]


def test_the_stack_trusts_the_one_tls_proxy_in_front():
    assert COMPOSE["x-portal-env"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert COMPOSE["x-portal-env"]["DEBUG"] == "false"


def test_the_image_leaves_out_the_developer_s_environment_and_data():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "node_modules", "var", ".git", ".env"} <= ignored


def test_the_image_installs_exactly_the_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.txt" in dockerfile
    assert "COPY pyproject.toml" not in dockerfile


def test_the_stack_runs_with_debug_off_and_needs_its_own_key():
    env = COMPOSE["x-portal-env"]
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}"
