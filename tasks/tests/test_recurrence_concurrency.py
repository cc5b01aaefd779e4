"""At most one next occurrence per task, even when completions race (PostgreSQL: real concurrent
connections, each request on its own thread), and a database that refuses a second one anyway."""

import functools
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from tasks.factories import TaskFactory
from tasks.models import Task
from testing.concurrency import run_concurrently

THREADS = 10
FRIDAY = datetime(2030, 12, 6, 16, 0, tzinfo=UTC)


def _send(token: str, method: str, path: str, body=None) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return getattr(client, method)(path, body, format="json").status_code


@pytest.fixture
def recurring(user):
    return TaskFactory(user=user, due_at=FRIDAY, recurrence="FREQ=WEEKLY;BYDAY=FR")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "request_",
    [
        ("patch", "/complete", {"completed": True}),
        ("patch", "", {"completed": True}),
        ("put", "", {"title": "Weekly", "completed": True}),
    ],
    ids=["set", "patch", "put"],
)
def test_racing_completions_create_exactly_one_next_occurrence(
    postgres_only, user, make_token, recurring, request_
):
    method, suffix, body = request_
    send = functools.partial(_send, make_token(user), method, f"/api/tasks/{recurring.pk}{suffix}")

    results = run_concurrently([functools.partial(send, body)] * THREADS)

    assert results == [200] * THREADS
    child = Task.objects.exclude(pk=recurring.pk).get()  # exactly one
    recurring.refresh_from_db()
    assert recurring.next_occurrence_id == child.pk
    assert child.due_at == datetime(2030, 12, 13, 16, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_racing_toggles_create_at_most_one_next_occurrence(
    postgres_only, user, make_token, recurring
):
    send = functools.partial(
        _send, make_token(user), "patch", f"/api/tasks/{recurring.pk}/complete"
    )

    results = run_concurrently([send] * (THREADS + 1))

    assert results == [200] * (THREADS + 1)
    recurring.refresh_from_db()
    assert recurring.completed is True  # an odd number of flips, each applied once
    assert Task.objects.exclude(pk=recurring.pk).count() == 1
    assert recurring.next_occurrence_id is not None


@pytest.mark.django_db(transaction=True)
def test_racing_completions_of_a_chain_never_fork_it(postgres_only, user, make_token, recurring):
    token = make_token(user)
    task = recurring
    for _ in range(3):  # each link of the chain, raced
        path = f"/api/tasks/{task.pk}/complete"
        run_concurrently([functools.partial(_send, token, "patch", path, {"completed": True})] * 5)
        task.refresh_from_db()
        task = Task.objects.get(pk=task.next_occurrence_id)

    assert Task.objects.count() == 4
    assert Task.objects.filter(completed=False).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_occurrence_of_the_same_task(recurring):
    TaskFactory(user=recurring.user, previous_occurrence=recurring)

    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(user=recurring.user, previous_occurrence=recurring)

    assert Task.objects.filter(previous_occurrence=recurring).count() == 1
