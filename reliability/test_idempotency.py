"""Idempotency-Key against real server processes on PostgreSQL: a retry while the first request
still runs is a 409, then a replay; racing retries of one create make one task."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import transaction

from api.models import IdempotencyKey
from tasks.factories import TaskFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_retry_while_the_first_toggle_runs_is_409_then_a_replay(server, owner, http):
    task = TaskFactory(user=owner, completed=False)
    url = f"{server.url}/api/tasks/{task.pk}/complete"
    headers = {**server.headers(owner.pk), "Idempotency-Key": "toggle-while-running"}
    first: list[requests.Response] = []

    with transaction.atomic():
        # The task's row locked here: the first request takes its lease, then waits on the row.
        Task.objects.select_for_update().get(pk=task.pk)
        thread = threading.Thread(target=lambda: first.append(http.patch(url, headers=headers)))
        thread.start()
        _wait_for(lambda: IdempotencyKey.objects.filter(status__isnull=True).exists())

        retry = http.patch(url, headers=headers)

        assert retry.status_code == 409
        assert retry.json()["error"]["code"] == "CONFLICT"
        assert "Idempotent-Replayed" not in retry.headers
    thread.join(timeout=20)

    [done] = first
    assert done.status_code == 200
    assert done.json()["data"]["completed"] is True
    replay = http.patch(url, headers=headers)
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.content == done.content
    task.refresh_from_db()
    assert task.completed is True  # toggled once


def test_racing_retries_of_one_create_make_one_task(server, owner):
    headers = {**server.headers(owner.pk), "Idempotency-Key": "create-race"}
    barrier = threading.Barrier(12)

    def send(_):
        barrier.wait(timeout=10)
        return requests.post(
            f"{server.url}/api/tasks", json={"title": "Once"}, headers=headers, timeout=20
        )

    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(send, range(12)))

    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    originals = [r for r in created if "Idempotent-Replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    assert Task.objects.filter(user=owner).count() == 1
    assert IdempotencyKey.objects.get().status == 201
