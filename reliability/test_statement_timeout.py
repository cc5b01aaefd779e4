"""DATABASE_STATEMENT_TIMEOUT_MS: a query stuck behind a lock is cancelled (503 in the envelope)
instead of holding one of the server's few threads until the lock goes away."""

import time

import pytest
from django.db import connection, transaction

from tasks.factories import TaskFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_test_connection_carries_the_default_timeout(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("5s",)


def test_a_query_stuck_behind_a_lock_is_a_prompt_503_and_changes_nothing(start_server, owner, http):
    server = start_server(env={"DATABASE_STATEMENT_TIMEOUT_MS": "300"})
    task = TaskFactory(user=owner, completed=False)
    url = f"{server.url}/api/tasks/{task.pk}/complete"

    with transaction.atomic():  # this test's own session holds the row's lock meanwhile
        Task.objects.select_for_update().get(pk=task.pk)
        started = time.monotonic()
        stuck = http.patch(url, json={"completed": True}, headers=server.headers(owner.pk))
        waited = time.monotonic() - started

    assert (stuck.status_code, stuck.json()["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert waited < 3
    task.refresh_from_db()
    assert task.completed is False
    freed = http.patch(url, json={"completed": True}, headers=server.headers(owner.pk))
    assert (freed.status_code, freed.json()["data"]["completed"]) == (200, True)


def test_zero_means_no_statement_timeout(start_server, owner, http):
    server = start_server(env={"DATABASE_STATEMENT_TIMEOUT_MS": "0"})
    task = TaskFactory(user=owner, completed=False)
    url = f"{server.url}/api/tasks/{task.pk}/complete"

    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task.pk)
        with pytest.raises(Exception, match="timed out"):
            http.patch(url, json={"completed": True}, headers=server.headers(owner.pk), timeout=2)

    task.refresh_from_db()  # the waiting UPDATE went through once the lock was gone
    deadline = time.monotonic() + 5
    while not task.completed and time.monotonic() < deadline:
        time.sleep(0.1)
        task.refresh_from_db()
    assert task.completed is True
