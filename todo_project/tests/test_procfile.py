"""The Procfile's `web:` command, run by a shell as a platform runs it: it honours `$PORT`,
`$WEB_CONCURRENCY` (worker processes) and `$WEB_THREADS`, and has working defaults."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from testing.live_server import (
    BASE_DIR,
    free_port,
    live_server_process,
    procfile_command,
    server_command,
    shared_sqlite_env,
)


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_the_web_process_is_granians_wsgi_server_on_the_django_app():
    command = procfile_command()

    assert command.startswith("granian --interface wsgi ")
    assert command.endswith(" todo_project.wsgi:application")


@pytest.mark.parametrize("workers", [1, 2])
def test_web_concurrency_sets_the_worker_processes(tmp_path, workers):
    with live_server_process(env=shared_sqlite_env(tmp_path), workers=workers) as server:
        assert len(_workers(server.process.pid)) == workers
        assert urllib.request.urlopen(f"{server.url}/api/health", timeout=5).status == 200


def test_with_only_port_set_the_defaults_serve(tmp_path):
    env = shared_sqlite_env(tmp_path)
    port = free_port()
    env.update(PORT=str(port), PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    process = subprocess.Popen(
        server_command(), cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert process.poll() is None
                time.sleep(0.05)
        else:
            pytest.fail("the Procfile's command did not serve with its defaults")
        assert len(_workers(process.pid)) == 1
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
