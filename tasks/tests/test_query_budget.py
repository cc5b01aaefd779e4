"""Query budgets: every SQL statement a request costs, transactions and health checks included."""

import contextlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.factories import TaskFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def count_statements(monkeypatch):
    """Statements sent to the database: Django's cursor calls, plus BEGIN/COMMIT of transactions
    and the `SELECT 1` of connection health checks, which do not go through Django's cursor."""
    extra = {"n": 0}
    real_set_autocommit = connection.set_autocommit
    real_is_usable = connection.is_usable

    def set_autocommit(autocommit, *args, **kwargs):
        if not autocommit:  # a transaction opens: BEGIN now, COMMIT/ROLLBACK later
            extra["n"] += 2
        return real_set_autocommit(autocommit, *args, **kwargs)

    def is_usable():
        extra["n"] += 1
        return real_is_usable()

    monkeypatch.setattr(connection, "set_autocommit", set_autocommit)
    monkeypatch.setattr(connection, "is_usable", is_usable)
    with CaptureQueriesContext(connection) as ctx:
        result = {"ctx": ctx, "extra": extra}
        yield result
    result["total"] = len(ctx.captured_queries) + extra["n"]


@pytest.fixture
def budget(monkeypatch):
    def _run(call):
        with count_statements(monkeypatch) as counted:
            response = call()
        return response, counted["total"], counted["ctx"].captured_queries

    return _run


@pytest.fixture
def hundred_tasks(user):
    return TaskFactory.create_batch(100, user=user)


def test_list_of_100_tasks_costs_at_most_3_statements(auth_client, hundred_tasks, budget):
    response, total, _ = budget(lambda: auth_client.get("/api/tasks"))

    assert response.status_code == 200
    assert len(response.json()["data"]) == 100
    assert response.json()["meta"]["count"] == 100
    assert total <= 3


def test_list_past_the_end_still_reports_the_count(auth_client, hundred_tasks, budget):
    response, total, _ = budget(lambda: auth_client.get("/api/tasks?offset=150"))

    assert response.json()["data"] == []
    assert response.json()["meta"]["count"] == 100
    assert total <= 3


def test_get_costs_at_most_2_statements(auth_client, hundred_tasks, budget):
    response, total, _ = budget(lambda: auth_client.get(f"/api/tasks/{hundred_tasks[0].pk}"))

    assert response.status_code == 200
    assert total <= 2


def test_toggle_costs_at_most_2_statements(auth_client, hundred_tasks, budget):
    task = hundred_tasks[0]

    response, total, _ = budget(lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete"))

    assert response.json()["data"]["completed"] is True
    assert total <= 2


def test_create_costs_at_most_3_statements(auth_client, budget):
    response, total, _ = budget(
        lambda: auth_client.post("/api/tasks", {"title": "Budgeted"}, format="json")
    )

    assert response.status_code == 201
    assert total <= 3


def test_first_request_of_a_new_user_costs_at_most_2_more(client_for, new_user_id, budget):
    client = client_for(new_user_id)

    response, total, _ = budget(lambda: client.get("/api/tasks"))

    assert response.status_code == 200
    assert total <= 3 + 2


def test_connection_health_checks_cost_no_statement_per_request():
    # The first query of each request doubles as the health check (api.db).
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is False


def _update_sql(queries) -> str:
    return next(q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE"))


def test_toggle_writes_only_completed_and_updated_at(auth_client, user, budget):
    task = TaskFactory(user=user, title="Original")

    _, _, queries = budget(lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete"))

    set_clause = re.search(r"SET (.*) WHERE", _update_sql(queries)).group(1)
    assert "completed" in set_clause
    assert "updated_at" in set_clause
    assert "title" not in set_clause
    assert "description" not in set_clause


def test_patch_writes_only_the_fields_sent(auth_client, user, budget):
    task = TaskFactory(user=user, title="Original", description="Keep me")

    _, _, queries = budget(
        lambda: auth_client.patch(f"/api/tasks/{task.pk}", {"title": "New"}, format="json")
    )

    set_clause = re.search(r"SET (.*) WHERE", _update_sql(queries)).group(1)
    assert "title" in set_clause
    assert "description" not in set_clause
    assert "completed" not in set_clause


def test_toggle_never_reverts_a_title_edited_after_it_was_read(auth_client, user):
    task = TaskFactory(user=user, title="Before", completed=False)
    stale = Task.objects.get(pk=task.pk)  # what a read-modify-write toggle would have read
    Task.objects.filter(pk=task.pk).update(title="Edited meanwhile")

    response = auth_client.patch(f"/api/tasks/{stale.pk}/complete")

    task.refresh_from_db()
    assert task.title == "Edited meanwhile"
    assert task.completed is True
    assert response.json()["data"]["title"] == "Edited meanwhile"
