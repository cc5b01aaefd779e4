"""gunicorn.conf.py: production serving settings come from the environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

GUNICORN = Path(sys.executable).parent / "gunicorn"


def resolved_config(**env) -> dict[str, str]:
    """`gunicorn --print-config -c gunicorn.conf.py` as a dict (starts no server)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "WEB_", "PORT"))}
    done = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pairs = (line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_gunicorn_reads_workers_threads_and_timeouts_from_the_environment():
    config = resolved_config(
        GUNICORN_BIND="127.0.0.1:9123",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="45",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_KEEPALIVE="7",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
    )

    assert config["bind"] == "['127.0.0.1:9123']"
    assert config["workers"] == "3"
    assert config["threads"] == "4"
    assert config["worker_class"] == "gthread"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == ("45", "20", "7")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("500", "50")
    assert config["wsgi_app"] == "todo_project.wsgi:application"


def test_gunicorn_defaults_and_no_access_log():
    config = resolved_config(PORT="8123")

    assert config["bind"] == "['0.0.0.0:8123']"
    assert int(config["workers"]) == 2 * os.cpu_count() + 1
    assert config["worker_class"] == "sync"
    assert config["max_requests"] == "1000"
    assert config["accesslog"] == "None"  # the app logs one JSON line per request itself
    assert config["errorlog"] == "-"
