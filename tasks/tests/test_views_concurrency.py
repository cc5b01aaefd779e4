"""Concurrent writes to tasks (PostgreSQL: real concurrent connections): no 500, nothing lost."""

import functools

import pytest
from rest_framework.test import APIClient

from tasks.factories import TaskFactory
from tasks.models import Task
from testing.concurrency import run_concurrently

THREADS = 10


def _concurrently(token: str, requests: list[tuple[str, str, dict | None]]) -> list:
    """Send each (method, path, body) from its own thread, client and connection, all at once."""

    def send(method: str, path: str, body) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return getattr(client, method)(path, body, format="json").status_code

    return run_concurrently([functools.partial(send, *request) for request in requests])


@pytest.fixture
def token(user, make_token) -> str:
    return make_token(user)


@pytest.mark.django_db(transaction=True)
def test_concurrent_toggles_are_never_lost(postgres_only, user, token):
    task = TaskFactory(user=user, completed=False)

    results = _concurrently(token, [("patch", f"/api/tasks/{task.pk}/complete", None)] * THREADS)

    assert results == [200] * THREADS
    task.refresh_from_db()
    assert task.completed is False  # an even number of flips, each applied exactly once


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_fields_all_land(postgres_only, user, token):
    task = TaskFactory(user=user, title="Old", description="Old", completed=False)
    path = f"/api/tasks/{task.pk}"

    results = _concurrently(
        token,
        [
            ("patch", path, {"title": "New title"}),
            ("patch", path, {"description": "New description"}),
            ("patch", f"{path}/complete", {"completed": True}),
        ],
    )

    assert results == [200, 200, 200]
    task.refresh_from_db()
    assert (task.title, task.description, task.completed) == ("New title", "New description", True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_and_deletes_never_500(postgres_only, user, token):
    doomed = TaskFactory.create_batch(THREADS // 2, user=user)
    requests = [("post", "/api/tasks", {"title": f"Task {i}"}) for i in range(THREADS // 2)]
    requests += [("delete", f"/api/tasks/{task.pk}", None) for task in doomed]
    requests += [("delete", f"/api/tasks/{doomed[0].pk}", None)]  # a race for the same row

    results = _concurrently(token, requests)

    assert results[: THREADS // 2] == [201] * (THREADS // 2)
    deletes = results[THREADS // 2 :]
    assert sorted(deletes) == [204] * (THREADS // 2) + [404]
    assert sorted(Task.objects.filter(deleted_at=None).values_list("title", flat=True)) == [
        f"Task {i}" for i in range(THREADS // 2)
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("suffix,body", [("", {"title": "Mine"}), ("/complete", None)])
def test_concurrent_writes_with_the_same_if_match_exactly_one_wins(
    postgres_only, user, token, suffix, body
):
    task = TaskFactory(user=user, title="Old", completed=False)
    path = f"/api/tasks/{task.pk}{suffix}"

    def send() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IF_MATCH=f'"{task.pk}-1"')
        return client.patch(path, body, format="json").status_code

    results = run_concurrently([send] * THREADS)

    assert sorted(results) == [200] + [412] * (THREADS - 1)
    task.refresh_from_db()
    assert task.version == 2
