"""The development server (`manage.py runserver`), a real process: JSON log lines on stdout, and
never a query string (a token sent in one, however wrongly, is never written)."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing.live_server import BASE_DIR, free_port, process_env

SECRETS = ("tok-in-query-1", "tok-in-query-2", "tok-in-query-3")


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@dataclass
class DevServer:
    url: str
    port: int
    process: subprocess.Popen
    folder: Path

    def stop(self) -> tuple[str, str]:
        """Stop the server; what it wrote to stdout and to stderr."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        return (self.folder / "stdout").read_text(), (self.folder / "stderr").read_text()


@pytest.fixture
def dev_server(tmp_path):
    """`manage.py runserver` in debug mode, as the README's quick start runs it."""
    port = free_port()
    env = process_env(DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with (tmp_path / "stdout").open("w") as out, (tmp_path / "stderr").open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=err,
        )
    server = DevServer(f"http://127.0.0.1:{port}", port, process, tmp_path)
    deadline = time.monotonic() + 30
    while _status(f"{server.url}/api/health") != 200:
        assert process.poll() is None and time.monotonic() < deadline, server.stop()
        time.sleep(0.1)
    yield server
    server.stop()


def test_runserver_logs_json_on_stdout_and_never_a_query_string(dev_server):
    assert _status(f"{dev_server.url}/api/tasks?access_token={SECRETS[0]}") == 401
    assert _status(f"{dev_server.url}/api/nope?token={SECRETS[1]}") == 404
    with socket.create_connection(("127.0.0.1", dev_server.port), timeout=5) as sock:
        # A malformed request line: the server refuses it before Django sees it.
        sock.sendall(f"GET /api/tasks?token={SECRETS[2]} HTTP/1.1 extra\r\n\r\n".encode())
        assert b"Error code: 400" in sock.recv(4096)
    # runserver logs each request from its own thread after answering: wait for the three lines
    # (a loaded machine may write them late, and in another order).
    deadline = time.monotonic() + 10
    while (dev_server.folder / "stdout").read_text().count('"django.server"') < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    stdout, stderr = dev_server.stop()

    assert not [secret for secret in SECRETS if secret in stdout + stderr]
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    access = [(line["method"], line["path"], line["status"]) for line in lines
              if line["logger"] == "todo.access"]  # fmt: skip
    # runserver's own lines: the request line, the status (the body's size dropped here).
    server = [
        line["message"].rsplit(" ", 1)[0] for line in lines if line["logger"] == "django.server"
    ]
    assert ("GET", "/api/tasks", 401) in access and ("GET", "/api/nope", 404) in access
    assert sorted(server) == [
        '"GET /api/nope HTTP/1.1" 404',
        '"GET /api/tasks HTTP/1.1 extra" 400',
        '"GET /api/tasks HTTP/1.1" 401',
    ]
    assert "{" not in stderr  # no JSON log line on stderr: they all go to stdout
