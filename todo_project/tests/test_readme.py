"""The README's curl sessions, run as written against a live server on a fresh database.

Only the server's address and the path of the venv's Python are replaced. The sessions run in
order, each in its own `bash -eu -o pipefail`; every request they make must succeed, and they
must leave nothing behind in the project folder.
"""

import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from testing.environment import require
from testing.live_server import BASE_DIR, live_server_process, shared_sqlite_env

SESSION = re.compile(r"<!-- curl-session -->\n```sh\n(.*?)```", re.S)


def readme_sessions() -> list[str]:
    return SESSION.findall((BASE_DIR / "README.md").read_text())


@pytest.fixture
def fresh_server(tmp_path):
    """A production-mode server on a new, migrated SQLite database; and its environment."""
    require(shutil.which("curl") is not None, "needs curl")
    env = shared_sqlite_env(tmp_path)
    with live_server_process(env=env) as server:
        yield server, env, tmp_path / "db.sqlite3"


def test_the_readme_curl_sessions_run_in_order_on_a_fresh_database(fresh_server):
    server, env, database = fresh_server
    sessions = readme_sessions()
    files_before = set(BASE_DIR.iterdir())

    for session in sessions:
        script = session.replace("http://127.0.0.1:8000", server.url)
        script = script.replace(".venv/bin/python", sys.executable)
        done = subprocess.run(
            ["bash", "-eu", "-o", "pipefail", "-c", script],
            cwd=BASE_DIR,
            env={**env, "DJANGO_DEBUG": "true"},  # as the quick start's .env: mint_token works
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (
            f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )

    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    calls = [(line["method"], line["path"], line["status"]) for line in lines
             if line["logger"] == "todo.access" and line["path"] != "/api/health"]  # fmt: skip
    assert len(sessions) == 6
    assert len(calls) == sum(session.count("curl -s") for session in sessions)
    # Only what the sync session shows on purpose: a 304 (If-None-Match), a 412 (If-Match).
    assert [status for _, _, status in calls if status >= 300] == [304, 412], calls
    assert set(BASE_DIR.iterdir()) == files_before  # no bundle.json or any other file
    with sqlite3.connect(database) as db:
        users = dict(db.execute("SELECT email, password LIKE '!%' FROM accounts_user").fetchall())
        tasks = db.execute("SELECT count(*) FROM tasks_task WHERE deleted_at IS NULL")
        tasks = tasks.fetchone()[0]
        revoked = db.execute("SELECT count(*) FROM token_blacklist_blacklistedtoken").fetchone()[0]
    assert users == {"alice@example.com": 1, "bob@example.com": 0}  # alice has no password
    assert tasks == 0  # the session deleted (to the trash) the tasks it created
    assert revoked == 2  # refresh used one refresh token up, signout the latest
