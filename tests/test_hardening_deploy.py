"""Security review, finding 8 (part): the compose stack publishes nothing beyond loopback."""

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text())


def test_only_loopback_ports_are_published():
    published = {name: s.get("ports", []) for name, s in COMPOSE["services"].items() if s.get("ports")}
    assert set(published) == {"web", "mail"}
    assert published["mail"] == ["127.0.0.1:8025:8025"]
    assert published["web"] == ["127.0.0.1:8000:8000"]


def test_the_stack_trusts_the_one_tls_proxy_in_front():
    assert COMPOSE["x-portal-env"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert COMPOSE["x-portal-env"]["DEBUG"] == "false"
