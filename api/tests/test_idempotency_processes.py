"""Idempotency-Keys are kept in the database: they hold across server processes and restarts
(two gunicorn servers on one SQLite file, then a new one; on either suite)."""

import sqlite3
import uuid

import requests

from testing.live_server import live_server_process, shared_sqlite_env


def test_a_key_holds_across_processes_and_a_restart(tmp_path):
    env = shared_sqlite_env(tmp_path)
    user = str(uuid.uuid4())
    body = b'{"title": "Kept across processes"}'

    def create(server, key="across-1", data=body):
        headers = {
            **server.headers(user),
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        return requests.post(f"{server.url}/api/tasks", data=data, headers=headers, timeout=10)

    with live_server_process(env=env) as one, live_server_process(env=env) as two:
        first = create(one)
        on_the_other = create(two)
        reused = create(two, data=b'{"title": "Another"}')
    with live_server_process(env=env) as restarted:
        after_restart = create(restarted)

    assert first.status_code == 201
    for replay in (on_the_other, after_restart):
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.content == first.content
        assert replay.headers["Location"] == first.headers["Location"]
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        tasks = db.execute("SELECT title FROM tasks_task").fetchall()
        kept = db.execute("SELECT user_id, key, status FROM api_idempotencykey").fetchall()
    assert tasks == [("Kept across processes",)]
    assert kept == [(user, "across-1", 201)]
