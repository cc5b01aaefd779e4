"""The change feed under fire: writers on two server processes create, edit, toggle, delete,
restore and purge while a reader follows the cursor; the reader always ends up with exactly the
database's state for that user, and no request fails. On PostgreSQL (the test database), and on
a SQLite file shared by the two processes."""

import random
import sqlite3
import threading
import time
import uuid

import pytest
import requests

from tasks.models import Task
from tasks.tests.helpers import task_json
from testing.live_server import live_server_process, shared_sqlite_env

WRITERS = 6
SECONDS = 6


def _writer(servers, headers, seed: int, stop: threading.Event, failures: list) -> None:
    """Random writes through random servers until `stop`; a 5xx or an unexpected status is kept."""
    rng = random.Random(seed)
    ids: list[int] = []
    with requests.Session() as http:
        while not stop.is_set():
            base = f"{rng.choice(servers).url}/api/tasks"
            op = rng.choice(
                ["create"] * 3 + ["edit", "toggle", "delete", "restore", "purge", "bulk"]
            )
            task_id = rng.choice(ids) if ids else None
            if op == "create" or task_id is None:
                response = http.post(base, json={"title": f"w{seed}"}, headers=headers, timeout=20)
                if response.status_code == 201:
                    ids.append(response.json()["data"]["id"])
            elif op == "edit":
                body = {"title": f"e{rng.random()}", "tags": [rng.choice(["a", "b"])]}
                response = http.patch(f"{base}/{task_id}", json=body, headers=headers, timeout=20)
            elif op == "toggle":
                response = http.patch(f"{base}/{task_id}/complete", headers=headers, timeout=20)
            elif op == "delete":
                response = http.delete(f"{base}/{task_id}", headers=headers, timeout=20)
            elif op == "restore":
                response = http.post(f"{base}/{task_id}/restore", headers=headers, timeout=20)
            elif op == "purge":
                response = http.delete(f"{base}/trash/{task_id}", headers=headers, timeout=20)
            else:
                body = {"action": rng.choice(["complete", "delete", "restore"]), "ids": ids[-5:]}
                response = http.post(f"{base}/bulk", json=body, headers=headers, timeout=20)
            if response.status_code not in (200, 201, 204, 404):
                failures.append((op, response.status_code, response.text[:300]))


def _catch_up(http, server, headers, state: dict, cursor):
    """Follow the feed until has_more is false, applying each change to `state`."""
    while True:
        params = {"cursor": cursor, "limit": 7} if cursor else {"limit": 7}
        response = http.get(
            f"{server.url}/api/tasks/changes", params=params, headers=headers, timeout=20
        )
        assert response.status_code == 200, response.text
        body = response.json()
        for item in body["data"]:
            if item.get("purged"):
                state.pop(item["id"], None)
            else:
                state[item["id"]] = item
        cursor = body["meta"]["cursor"]
        if not body["meta"]["has_more"]:
            return cursor


def _race(servers, headers, http) -> dict[int, dict]:
    """Writers on every server while a reader follows the feed; the reader's final state."""
    stop, failures = threading.Event(), []
    writers = [
        threading.Thread(target=_writer, args=(servers, headers, n, stop, failures))
        for n in range(WRITERS)
    ]
    state: dict[int, dict] = {}
    cursor, rounds = None, 0
    for thread in writers:
        thread.start()
    try:
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:  # the reader follows while the writers write
            cursor = _catch_up(http, servers[rounds % 2], headers, state, cursor)
            rounds += 1
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=30)

    _catch_up(http, servers[0], headers, state, cursor)
    assert failures == []
    assert rounds > 3
    # A fresh reader from the beginning gets the same state.
    fresh: dict[int, dict] = {}
    _catch_up(http, servers[1], headers, fresh, None)
    assert fresh == state
    return state


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_following_the_feed_ends_with_exactly_the_database_state(
    start_server, owner, http
):
    first = start_server(workers=2, threads=4)
    # The same secrets: tokens, and cursors (signed with the secret key), work on either.
    shared = {name: first.env[name] for name in ("DJANGO_SECRET_KEY", "BETTER_AUTH_SECRET")}
    servers = [first, start_server(env=shared, workers=1, threads=4)]

    state = _race(servers, servers[0].headers(owner.pk), http)

    tasks = Task.objects.filter(user=owner)
    assert tasks.count() > 10 and tasks.filter(deleted_at__isnull=False).exists()
    assert state == {task.pk: task_json(task) for task in tasks}


def test_on_a_shared_sqlite_file_too(tmp_path, http):
    env = shared_sqlite_env(tmp_path)
    owner = str(uuid.uuid4())  # created by its first request
    with live_server_process(env=env) as one, live_server_process(env=env) as two:
        state = _race([one, two], one.headers(owner), http)

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute(
            "SELECT id, title, completed, version, deleted_at IS NOT NULL FROM tasks_task "
            "WHERE user_id = ?",
            [owner],
        ).fetchall()
    assert len(rows) > 10
    assert {row[0]: row[1:] for row in rows} == {
        task["id"]: (
            task["title"],
            task["completed"],
            task["version"],
            task["deleted_at"] is not None,
        )
        for task in state.values()
    }
