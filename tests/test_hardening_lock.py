"""Security review, finding 9: what runs is locked, with hashes, so `pip-audit -r
requirements/base.txt` audits exactly what is installed.

`make lock` writes requirements/base.txt (what production runs) and requirements/dev.txt
(that and the tools) from pyproject.toml's pins; `make setup` and the Dockerfile install
from them with --require-hashes.
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    """A distribution's normalised name (PEP 503), without extras."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>!~; ]", requirement, maxsplit=1)[0]).lower()


def _pins(requirements):
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\], ]+)==([^\s;]+)(\s*;.*)?", requirement.strip())
        assert match, f"not pinned exactly: {requirement}"
        pins[_name(match[1])] = match[2]
    return pins


def _lock(name):
    """{name: version} and {name: number of hashes} of a lock file."""
    text = (ROOT / "requirements" / name).read_text()
    versions, hashes = {}, {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2] if text.startswith("#") else text):
        head = entry.split("\n", 1)[0]
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", head)
        if not match:
            continue
        versions[_name(match[1])] = match[2]
        hashes[_name(match[1])] = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry))
    return versions, hashes


BASE = _pins(PYPROJECT["dependencies"])
DEV = _pins(PYPROJECT["optional-dependencies"]["dev"])


@pytest.mark.parametrize(("lock", "pins"), [("base.txt", BASE), ("dev.txt", {**BASE, **DEV})])
def test_every_pin_in_pyproject_is_in_the_lock_at_the_same_version(lock, pins):
    versions, _ = _lock(lock)
    assert {name: versions.get(name) for name in pins} == pins


@pytest.mark.parametrize("lock", ["base.txt", "dev.txt"])
def test_every_locked_package_has_its_hashes(lock):
    versions, hashes = _lock(lock)
    assert len(versions) > len(BASE)  # what the pins need is locked too
    assert [name for name, count in hashes.items() if not count] == []


def test_production_runs_what_the_tools_were_tested_with():
    base, _ = _lock("base.txt")
    dev, _ = _lock("dev.txt")
    assert {name: dev.get(name) for name in base} == base
    assert not set(DEV) & set(base), "a tool in production's lock"


def test_the_lock_keeps_celery_on_the_release_whose_worker_survives_a_redis_restart():
    assert _lock("base.txt")[0]["celery"] == "5.6.3"


def test_setup_installs_only_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes --no-deps -r requirements/dev.txt" in makefile
    assert '".[dev]"' not in makefile
