"""Concurrent requests to a real server on PostgreSQL: nothing lost or doubled, never a 500."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accounts.models import User
from tasks.factories import TaskFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def _all_at_once(count: int, send) -> list[requests.Response]:
    """`send(i)` from `count` threads released together; the responses in order of i."""
    barrier = threading.Barrier(count)

    def _go(i: int) -> requests.Response:
        barrier.wait(timeout=10)
        return send(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(_go, range(count)))


def test_50_concurrent_creates_by_one_user_all_land(server, owner):
    headers = server.headers(owner.pk)
    titles = [f"Concurrent task {i}" for i in range(50)]

    responses = _all_at_once(
        50,
        lambda i: requests.post(
            f"{server.url}/api/tasks", json={"title": titles[i]}, headers=headers, timeout=20
        ),
    )

    assert [response.status_code for response in responses] == [201] * 50
    created = {
        response.json()["data"]["id"]: response.json()["data"]["title"] for response in responses
    }
    assert len(created) == 50
    stored = dict(Task.objects.filter(user=owner).values_list("id", "title"))
    assert stored == created
    assert sorted(stored.values()) == sorted(titles)


def test_50_concurrent_patches_of_one_task_all_succeed_and_one_of_them_wins(server, owner):
    task = TaskFactory(user=owner, title="Original", description="Original", completed=False)
    writes = [
        {"title": f"Write {i}", "description": f"Description of write {i}", "completed": i % 2 == 0}
        for i in range(50)
    ]
    url = f"{server.url}/api/tasks/{task.pk}"
    headers = server.headers(owner.pk)

    responses = _all_at_once(
        50, lambda i: requests.patch(url, json=writes[i], headers=headers, timeout=20)
    )

    assert [response.status_code for response in responses] == [200] * 50
    for write, response in zip(writes, responses, strict=True):
        data = response.json()["data"]
        assert {key: data[key] for key in write} == write  # each saw exactly its own write
    task.refresh_from_db()
    final = {"title": task.title, "description": task.description, "completed": task.completed}
    assert final in writes  # last write wins: whole, never a mix of two writes


@pytest.mark.parametrize("initial", [False, True])
def test_concurrent_toggles_end_consistent(server, owner, initial):
    task = TaskFactory(user=owner, completed=initial)
    url = f"{server.url}/api/tasks/{task.pk}/complete"
    headers = server.headers(owner.pk)
    toggles = 21

    responses = _all_at_once(toggles, lambda i: requests.patch(url, headers=headers, timeout=20))

    assert [response.status_code for response in responses] == [200] * toggles
    task.refresh_from_db()
    assert task.completed is (initial ^ (toggles % 2 == 1))
    # Atomic flips, taken one after another: the answers alternate, 11 of one and 10 of the other.
    answers = [response.json()["data"]["completed"] for response in responses]
    assert answers.count(not initial) == 11
    assert answers.count(initial) == 10


def test_concurrent_first_requests_for_a_new_sub_create_exactly_one_user(server):
    sub = uuid.uuid4()
    headers = server.headers(sub, email="newcomer@example.com", name="New Comer")

    responses = _all_at_once(
        30, lambda i: requests.get(f"{server.url}/api/auth/me", headers=headers, timeout=20)
    )

    assert [response.status_code for response in responses] == [200] * 30
    assert {response.json()["data"]["id"] for response in responses} == {str(sub)}
    user = User.objects.get(pk=sub)  # exactly one
    assert (user.email, user.name) == ("newcomer@example.com", "New Comer")
    assert User.objects.filter(email__iexact="newcomer@example.com").count() == 1


def test_concurrent_first_requests_to_the_task_list_for_a_new_sub_all_succeed(server):
    sub = uuid.uuid4()
    headers = server.headers(sub)

    responses = _all_at_once(
        30,
        lambda i: requests.post(
            f"{server.url}/api/tasks", json={"title": f"T{i}"}, headers=headers, timeout=20
        ),
    )

    assert [response.status_code for response in responses] == [201] * 30
    assert User.objects.filter(pk=sub).count() == 1
    assert Task.objects.filter(user_id=sub).count() == 30


def test_concurrent_deletes_of_one_task_give_one_204_and_404s(server, owner):
    task = TaskFactory(user=owner)
    url = f"{server.url}/api/tasks/{task.pk}"
    headers = server.headers(owner.pk)

    responses = _all_at_once(20, lambda i: requests.delete(url, headers=headers, timeout=20))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [204] + [404] * 19
    deleted = next(response for response in responses if response.status_code == 204)
    assert deleted.content == b""
    for response in responses:
        if response.status_code == 404:
            assert response.json() == {
                "success": False,
                "error": {"code": "RESOURCE_NOT_FOUND", "message": "Task not found."},
            }
    task.refresh_from_db()  # in the trash, moved there once
    assert (task.deleted_at is not None, task.version) == (True, 2)


def test_concurrent_mixed_writes_to_one_task_never_500(server, owner):
    task = TaskFactory(user=owner, completed=False)
    url = f"{server.url}/api/tasks/{task.pk}"
    headers = server.headers(owner.pk)
    operations = [
        lambda: requests.put(url, json={"title": "Put"}, headers=headers, timeout=20),
        lambda: requests.patch(url, json={"description": None}, headers=headers, timeout=20),
        lambda: requests.patch(f"{url}/complete", headers=headers, timeout=20),
        lambda: requests.get(url, headers=headers, timeout=20),
        lambda: requests.get(f"{server.url}/api/tasks", headers=headers, timeout=20),
    ]

    responses = _all_at_once(40, lambda i: operations[i % len(operations)]())

    assert {response.status_code for response in responses} == {200}
    task.refresh_from_db()
    assert (task.title, task.description) == ("Put", None)


def test_racing_completions_of_a_recurring_task_over_http_create_one_next_occurrence(server, owner):
    from datetime import UTC, datetime

    # Two worker processes, 30 requests at once: sets, toggles and PATCHes that complete it.
    task = TaskFactory(
        user=owner, due_at=datetime(2030, 12, 6, 16, tzinfo=UTC), recurrence="FREQ=WEEKLY"
    )
    url = f"{server.url}/api/tasks/{task.pk}"
    headers = server.headers(owner.pk)
    calls = [
        lambda: requests.patch(f"{url}/complete", json={"completed": True}, headers=headers),
        lambda: requests.patch(url, json={"completed": True}, headers=headers),
        lambda: requests.patch(f"{url}/complete", headers=headers),
    ]

    responses = _all_at_once(30, lambda i: calls[i % 3]())

    assert [response.status_code for response in responses] == [200] * 30
    children = Task.objects.filter(previous_occurrence=task)
    assert children.count() == 1
    task.refresh_from_db()
    assert task.next_occurrence_id == children.get().pk
    assert Task.objects.filter(user=owner).count() == 2
    assert {r.json()["data"]["next_occurrence_id"] for r in responses} <= {
        None,
        task.next_occurrence_id,
    }
