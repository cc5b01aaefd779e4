"""Configuration from the environment or `.env`: the production-mode refusal, and a debug start.

Each case runs in a fresh interpreter, in a copy of the project without any `.env` file (so a
developer's own `.env` cannot change the outcome), with only the variables the case names.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from todo_project.settings import _DEV_AUTH_SECRET, _DEV_SECRET_KEY

STRONG_SECRET_KEY = "Zq8Lw3Nv6Tp1Xk9Rb4Hm7Jd2Fs5Gc0Ya-" * 2
STRONG_AUTH_SECRET = "Vt6Qn1Ks8Wd3Lr5Zm0Hx9Pb2Jc7Fg4Ey"
# Imports settings without setting up apps: the quickest way to "start" the configuration.
LOAD_SETTINGS = "import django.conf; django.conf.settings.SECRET_KEY"
# A debug start that serves one request (no database needed for liveness).
SERVE_HEALTH = (
    "import django; django.setup(); from django.test import Client; "
    "r = Client(HTTP_HOST='localhost').get('/api/health'); print(r.status_code, r.content.decode())"
)


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's code (its Python packages and manage.py), without a `.env`."""
    root = Path(django_settings.BASE_DIR)
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy2(root / "manage.py", copy / "manage.py")
    skip = shutil.ignore_patterns("__pycache__", "tests", "node_modules", "*.sqlite3")
    for package in root.iterdir():
        if package.is_dir() and (package / "__init__.py").exists():
            shutil.copytree(package, copy / package.name, ignore=skip)
    assert not (copy / ".env").exists()
    return copy


def _run(project: Path, args: list[str], **variables: str) -> subprocess.CompletedProcess:
    """Run Python in the copy with a clean environment plus `variables`."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    env.update(DJANGO_SETTINGS_MODULE="todo_project.settings", **variables)
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )


def _production(**overrides: str) -> dict:
    """Production mode with strong secrets, then the overrides (None: unset)."""
    variables = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": STRONG_SECRET_KEY,
        "BETTER_AUTH_SECRET": STRONG_AUTH_SECRET,
    }
    variables.update(overrides)
    return {name: value for name, value in variables.items() if value is not None}


REFUSALS = {
    "secret-key-unset": ("DJANGO_SECRET_KEY", None),
    "secret-key-empty": ("DJANGO_SECRET_KEY", ""),
    "secret-key-short": ("DJANGO_SECRET_KEY", "Zq8Lw3Nv6Tp1Xk9Rb4Hm"),
    "secret-key-repetitive": ("DJANGO_SECRET_KEY", "ab" * 40),
    "secret-key-django-insecure": ("DJANGO_SECRET_KEY", "django-insecure-" + STRONG_SECRET_KEY),
    "secret-key-dev-value": ("DJANGO_SECRET_KEY", _DEV_SECRET_KEY),
    "auth-secret-unset": ("BETTER_AUTH_SECRET", None),
    "auth-secret-empty": ("BETTER_AUTH_SECRET", "   "),
    "auth-secret-short": ("BETTER_AUTH_SECRET", "Vt6Qn1Ks8Wd3Lr5Zm0Hx9Pb2Jc7"),
    "auth-secret-repetitive": ("BETTER_AUTH_SECRET", "xy" * 32),
    "auth-secret-dev-value": ("BETTER_AUTH_SECRET", _DEV_AUTH_SECRET),
    "debug-not-a-boolean": ("DJANGO_DEBUG", "maybe"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_production_mode_refuses_a_missing_or_weak_setting_and_names_it(project, case):
    variable, value = REFUSALS[case]

    result = _run(project, ["-c", LOAD_SETTINGS], **_production(**{variable: value}))

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert variable in last_line
    innocent = {"DJANGO_SECRET_KEY", "BETTER_AUTH_SECRET"} - {variable}
    assert not [name for name in innocent if name in last_line]


def test_manage_py_refuses_to_start_without_secrets_in_production_mode(project):
    result = _run(project, ["manage.py", "check"], DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_a_fresh_checkout_without_env_defaults_to_production_mode_and_refuses(project):
    result = _run(project, ["manage.py", "check"])

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_production_mode_starts_with_strong_secrets(project):
    result = _run(project, ["manage.py", "check"], **_production())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_mode_starts_without_env_file_or_secrets(project):
    result = _run(project, ["-c", SERVE_HEALTH], DJANGO_DEBUG="true")

    *logged, answer = result.stdout.splitlines()  # the JSON log lines come on stdout too
    assert result.returncode == 0, result.stderr
    assert answer.startswith("200 ")
    assert '"status":"ok"' in answer
    assert [json.loads(line)["logger"] for line in logged] == ["todo.access"]


def test_a_env_file_is_read(project):
    (project / ".env").write_text(
        f"DJANGO_DEBUG=false\nDJANGO_SECRET_KEY={STRONG_SECRET_KEY}\nBETTER_AUTH_SECRET=weak\n"
    )

    result = _run(project, ["-c", LOAD_SETTINGS])

    assert result.returncode != 0
    assert "BETTER_AUTH_SECRET is too weak" in result.stderr


def test_the_real_environment_wins_over_the_env_file(project):
    (project / ".env").write_text("DJANGO_DEBUG=false\nBETTER_AUTH_SECRET=weak\n")

    result = _run(project, ["-c", LOAD_SETTINGS], **_production())

    assert result.returncode == 0, result.stderr
