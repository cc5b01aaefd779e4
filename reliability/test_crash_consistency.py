"""A server killed (SIGKILL) in the middle of a stream of writes leaves no half-written task.

Every write is one statement in its own transaction, so PostgreSQL keeps each either whole or
not at all, whatever happens to the process that sent it. The test checks every row against
what was sent: title, description and completed always come from one and the same write, and
every write the server acknowledged is there.
"""

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from django.db import connection

from tasks.factories import TaskFactory
from tasks.models import Task
from testing.live_server import database_url

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
TASKS_PER_WRITER = 3
KILL_AFTER = 60  # acknowledged writes


def content(marker: str) -> dict:
    """The fields of the write `marker`: long, multi-byte, each derived from the marker alone."""
    digest = hashlib.sha256(marker.encode()).hexdigest()
    return {
        "title": (f"{marker}|{digest}é中😀" * 10)[:200],
        "description": (f"{digest}ü字🎉" * 20)[:1000],
        "completed": int(digest, 16) % 2 == 0,
    }


def marker_of(title: str) -> str:
    return title.split("|", 1)[0]


class Acks:
    """Acknowledged writes across all writers; `reached` is set at KILL_AFTER."""

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0
        self.reached = threading.Event()

    def add(self) -> None:
        with self._lock:
            self.count += 1
            if self.count >= KILL_AFTER:
                self.reached.set()


@dataclass
class Writer:
    """One client thread: alternately creates a task and PUTs to its own tasks, until killed."""

    # Only this writer PUTs to its tasks, so the last acknowledged write to each is known.

    number: int
    task_ids: list[int]
    acked: dict[int, str] = field(default_factory=dict)  # own task id -> last acknowledged marker
    created: dict[int, str] = field(default_factory=dict)  # acknowledged creates
    in_flight: tuple[int | None, str] | None = None  # (task id, or None for a create; marker)
    cut_off: bool = False
    unexpected: str | None = None

    def run(self, url: str, headers: dict, acks: Acks) -> None:
        with requests.Session() as session:
            for step in range(100_000):
                marker = f"w{self.number}s{step}"
                task_id = None if step % 2 == 0 else self.task_ids[step // 2 % len(self.task_ids)]
                self.in_flight = (task_id, marker)
                try:
                    response = self._send(session, url, headers, task_id, content(marker))
                except requests.RequestException:  # the server is gone
                    self.cut_off = True
                    return
                if response.status_code not in (200, 201):
                    self.unexpected = f"{response.status_code} {response.text}"
                    return
                if task_id is None:
                    self.created[response.json()["data"]["id"]] = marker
                else:
                    self.acked[task_id] = marker
                self.in_flight = None
                acks.add()

    @staticmethod
    def _send(session, url, headers, task_id, body):
        if task_id is None:
            return session.post(f"{url}/api/tasks", json=body, headers=headers, timeout=10)
        return session.put(f"{url}/api/tasks/{task_id}", json=body, headers=headers, timeout=10)


def _wait_for_sessions_to_end(application_name: str) -> None:
    """Until PostgreSQL has ended (and rolled back) every session of the killed server."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    pytest.fail("the killed server's database sessions did not end")


def _writers(owner) -> tuple[list[Writer], dict[int, str]]:
    """The writers, each with tasks of its own, and the marker each task starts with."""
    initial, writers = {}, []
    for number in range(WRITERS):
        markers = [f"init{number}-{k}" for k in range(TASKS_PER_WRITER)]
        ids = [TaskFactory(user=owner, **content(marker)).pk for marker in markers]
        initial.update(zip(ids, markers, strict=True))
        writers.append(Writer(number, ids))
    return writers, initial


def _assert_every_row_is_one_whole_write(rows: dict[int, Task]) -> None:
    for task in rows.values():
        fields = {"title": task.title, "description": task.description, "completed": task.completed}
        assert fields == content(marker_of(task.title)), task.pk


def _assert_acknowledged_writes_are_kept(rows, writers, initial) -> None:
    for writer in writers:
        pending_id, pending_marker = writer.in_flight
        for task_id in writer.task_ids:  # the last acknowledged write, or the one cut off
            allowed = {writer.acked.get(task_id, initial[task_id])}
            if pending_id == task_id:
                allowed.add(pending_marker)
            assert marker_of(rows[task_id].title) in allowed, task_id
        for task_id, marker in writer.created.items():
            assert marker_of(rows[task_id].title) == marker, task_id
    known = set(initial) | {task_id for writer in writers for task_id in writer.created}
    unacknowledged = {marker_of(rows[task_id].title) for task_id in set(rows) - known}
    cut_off_creates = {w.in_flight[1] for w in writers if w.in_flight[0] is None}
    assert unacknowledged <= cut_off_creates  # at most the creates in flight at the kill


def test_a_server_killed_mid_stream_leaves_only_whole_writes(start_server, owner):
    application_name = f"crash-{uuid.uuid4().hex[:12]}"  # tags the server's database sessions
    server = start_server(env={"DATABASE_URL": database_url(application_name=application_name)})
    writers, initial = _writers(owner)
    acks = Acks()
    args = (server.url, server.headers(owner.pk), acks)
    threads = [threading.Thread(target=writer.run, args=args) for writer in writers]
    for thread in threads:
        thread.start()

    assert acks.reached.wait(timeout=30), [writer.unexpected for writer in writers]
    server.kill()
    for thread in threads:
        thread.join(timeout=30)
    _wait_for_sessions_to_end(application_name)

    assert [writer.unexpected for writer in writers] == [None] * WRITERS
    assert all(writer.cut_off and writer.in_flight for writer in writers)  # killed mid-stream
    rows = {task.pk: task for task in Task.objects.filter(user=owner)}
    _assert_every_row_is_one_whole_write(rows)
    _assert_acknowledged_writes_are_kept(rows, writers, initial)
    # A new server process serves exactly what the killed one left behind.
    successor = start_server(threads=2)
    listed = requests.get(
        f"{successor.url}/api/tasks?limit=500", headers=successor.headers(owner.pk), timeout=10
    )
    assert {task["id"]: task["title"] for task in listed.json()["data"]} == {
        task_id: task.title for task_id, task in rows.items()
    }
