"""Security review, finding 8: debug only when asked for.

DEBUG defaulted to true with a fixed SECRET_KEY, so a deployment that forgot the variable
ran in debug mode. Now the default is production, which refuses to start without its own
key, and each developer entry point (make run, check, bench, load, the suite, the API fuzz
script) asks for debug itself.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(env_overrides, *args):
    """manage.py with none of the developer's or the suite's own settings in its environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "ictstrategy.settings"
    env["PORTAL_ENV_FILE"] = ""  # not the checkout's developer .env
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_with_nothing_set_the_portal_refuses_to_start_and_says_why():
    result = _manage({}, "check")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY is not set" in message
    assert "DEBUG=true" in message  # what a developer does instead


def test_debug_is_off_unless_asked_for():
    probe = "from django.conf import settings; print(settings.DEBUG, settings.DEMO_DATA_ALLOWED)"
    production = {"SECRET_KEY": "k3y-" + "q9Z!" * 16, "ALLOWED_HOSTS": "portal.example.gov.uk"}
    result = _manage(production, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "False"]
    result = _manage({"DEBUG": "true"}, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "True"]


def test_a_short_or_placeholder_key_is_refused_too():
    result = _manage({"SECRET_KEY": "changeme", "ALLOWED_HOSTS": "portal.example.gov.uk"}, "check")
    assert result.returncode != 0
    assert "50 or more" in result.stderr.strip().splitlines()[-1]


def _dry_run(target):
    """The commands `make -n TARGET` would run (make prints them without running any)."""
    result = subprocess.run(
        ["make", "-n", "--always-make", target, "PYTHON=true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DEBUG"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.replace("\\\n", " ").splitlines()


@pytest.mark.parametrize(
    ("target", "runs"),
    [
        ("run", r"manage\.py (migrate|load_demo_data|collectstatic|runserver)"),
        ("check", r"manage\.py (check|makemigrations)"),
        ("bench", r"-m bench\.run"),
        ("load", r"load/load_test\.py"),
    ],
)
def test_each_developer_target_asks_for_debug(target, runs):
    lines = [line for line in _dry_run(target) if re.search(runs, line)]
    assert lines, f"make {target} runs nothing matching {runs}"
    for line in lines:
        assert line.startswith("DEBUG=true "), line


def test_check_deploy_still_runs_with_debug_off():
    (line,) = [line for line in _dry_run("check-deploy") if "manage.py check --deploy" in line]
    assert line.startswith("DEBUG=false ")


def test_the_api_fuzz_script_asks_for_debug():
    script = (ROOT / ".ci" / "api-schema").read_text()
    assert re.search(r"^export DEBUG=true$", script, re.MULTILINE)


def test_the_load_test_prepares_its_database_with_debug_and_serves_without(monkeypatch):
    sys.path.insert(0, str(ROOT))
    from load import load_test

    monkeypatch.delenv("DEBUG", raising=False)
    assert load_test.prepare_env("postgres://x/y")["DEBUG"] == "true"  # demo data needs it
    served = load_test.server_env("postgres://x/y")
    assert served["DEBUG"] == "false" and len(served["SECRET_KEY"]) >= 50


def test_the_suite_itself_runs_with_debug_asked_for():
    """tests/settings.py asks before the portal's settings are read; workers and servers the
    tests start inherit it."""
    assert os.environ["DEBUG"] == "true"


def test_a_developers_env_file_asks_for_debug_and_the_environment_wins(tmp_path):
    """make setup writes .env (DEBUG=true) so manage.py works in a developer's shell; a
    deployment's own DEBUG=false is never overridden by such a file."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("DEBUG=true\n")
    probe = "from django.conf import settings; print(settings.DEBUG)"
    result = _manage({"PORTAL_ENV_FILE": str(dotenv)}, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
    result = _manage({"PORTAL_ENV_FILE": str(dotenv), "DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]
