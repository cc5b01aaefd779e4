"""Query budgets: every SQL statement a request costs, transactions and health checks included,
counted as a process that has not seen the user lately pays them (the user cache is emptied
first: accounts/user_cache.py saves the user's SELECT on a hit)."""

import contextlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import user_cache
from tasks.factories import TaskFactory
from tasks.models import Task

from .helpers import numbered_write

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def count_statements(monkeypatch):
    """Statements sent to the database: Django's cursor calls, plus BEGIN/COMMIT of transactions
    and the `SELECT 1` of connection health checks, which do not go through Django's cursor."""
    user_cache.clear()
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
    assert total <= 1 + numbered_write()


def test_create_costs_at_most_3_statements(auth_client, budget):
    response, total, _ = budget(
        lambda: auth_client.post("/api/tasks", {"title": "Budgeted"}, format="json")
    )

    assert response.status_code == 201
    assert total <= 1 + numbered_write()


def test_first_request_of_a_new_user_costs_at_most_2_more(client_for, new_user_id, budget):
    client = client_for(new_user_id)

    response, total, _ = budget(lambda: client.get("/api/tasks"))

    assert response.status_code == 200
    assert total <= 3 + 2


def test_connection_health_checks_cost_no_statement_per_request():
    # The first query of each request doubles as the health check (api.db).
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is False


def _update_sql(queries) -> str:
    """The task's UPDATE (on PostgreSQL, inside the CTE that takes its change number)."""
    return next(q["sql"] for q in queries if re.search(r'UPDATE "?tasks_task"? SET', q["sql"]))


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


# --- the list with filters, search and ordering; planning writes -------------------------------

LIST_QUERIES = [
    "completed=false",
    "priority=high,medium",
    "tag=work",
    "tag=work&tag=home",
    "due_after=2020-01-01T00:00:00Z&due_before=2040-01-01T00:00:00Z",
    "overdue=true",
    "overdue=false",
    "has_due=true",
    "search=milk",
    "search=oat milk litres",
    "ordering=-priority,due_at,title",
    "ordering=-due_at",
    "completed=false&priority=high&tag=work&tag=home&due_after=2020-01-01T00:00:00Z"
    "&due_before=2040-01-01T00:00:00Z&overdue=false&has_due=true&search=milk"
    "&ordering=-priority,-due_at,title,-updated_at,created_at&limit=50&offset=10",
]


@pytest.fixture
def hundred_planned_tasks(user):
    from datetime import UTC, datetime, timedelta

    from tasks.rules import Priority

    return [
        TaskFactory(
            user=user,
            title=f"Buy milk {n}",
            description="oat, 2 litres",
            priority=[Priority.LOW, Priority.MEDIUM, Priority.HIGH][n % 3],
            tags=["work", "home"] if n % 2 else ["errands"],
            due_at=datetime(2026, 9, 1, tzinfo=UTC) + timedelta(days=n) if n % 4 else None,
        )
        for n in range(100)
    ]


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_list_with_any_filters_search_and_ordering_costs_at_most_3_statements(
    auth_client, hundred_planned_tasks, budget, query
):
    response, total, _ = budget(lambda: auth_client.get(f"/api/tasks?{query}"))

    assert response.status_code == 200, response.content
    assert response.json()["meta"]["count"] > 0
    assert all("tags" in task for task in response.json()["data"])
    assert total <= 3


def test_list_of_100_tasks_with_tags_is_still_2_statements(
    auth_client, hundred_planned_tasks, budget
):
    response, total, _ = budget(lambda: auth_client.get("/api/tasks?tag=work&ordering=title"))

    assert len(response.json()["data"]) == 50
    assert response.json()["data"][0]["tags"] == ["work", "home"]
    assert total == 2


def test_tags_cost_2_statements(auth_client, hundred_planned_tasks, budget):
    response, total, _ = budget(lambda: auth_client.get("/api/tags"))

    assert response.json()["data"] == [
        {"name": "errands", "count": 50},
        {"name": "home", "count": 50},
        {"name": "work", "count": 50},
    ]
    assert total == 2


def test_create_with_every_planning_field_costs_2_statements(auth_client, budget):
    body = {
        "title": "Weekly review",
        "priority": "high",
        "tags": ["work", "planning"],
        "due_at": "2030-12-06T16:00:00Z",
        "remind_at": "2030-12-06T15:30:00Z",
        "recurrence": "FREQ=WEEKLY;BYDAY=FR",
    }

    response, total, _ = budget(lambda: auth_client.post("/api/tasks", body, format="json"))

    assert response.status_code == 201
    # the user, the INSERT (tags live in the row: no second table) with its change number
    assert total == 1 + numbered_write()


def test_patch_of_tags_due_and_rule_costs_2_statements(auth_client, user, budget):
    task = TaskFactory(user=user)
    body = {"tags": ["a"], "due_at": "2030-01-01T00:00:00Z", "recurrence": "FREQ=DAILY"}

    response, total, _ = budget(
        lambda: auth_client.patch(f"/api/tasks/{task.pk}", body, format="json")
    )

    assert response.status_code == 200
    assert total == 1 + numbered_write()  # the user, one UPDATE ... RETURNING


def test_toggle_of_a_recurring_task_back_to_open_costs_2_statements(auth_client, user, budget):
    from datetime import UTC, datetime

    task = TaskFactory(
        user=user, completed=True, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY"
    )

    response, total, _ = budget(lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete"))

    assert response.json()["data"]["completed"] is False
    assert total == 1 + numbered_write()


def test_completing_a_recurring_task_costs_7_statements_on_postgresql(auth_client, user, budget):
    from datetime import UTC, datetime

    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")

    response, total, queries = budget(lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete"))

    assert response.json()["data"]["next_occurrence_id"] is not None
    # The user; the guarded UPDATE that holds the row back; then BEGIN, the UPDATE (row locked),
    # the next occurrence's INSERT, the UPDATE that links it, COMMIT (in a test's transaction,
    # SAVEPOINT and RELEASE instead of BEGIN and COMMIT). Each write but the link takes a change
    # number: on SQLite 3 more statements each (see numbered_write).
    assert total == 7 + 3 * (numbered_write() - 1)
    kinds = [q["sql"].split()[0] for q in queries]
    writes = [kind for kind in kinds if kind not in ("SAVEPOINT", "RELEASE")]
    if connection.vendor == "postgresql":  # the numbered writes are CTEs (WITH seq AS ...)
        assert writes == ["SELECT", "WITH", "WITH", "WITH", "UPDATE"]
    else:  # each numbered write after its number's INSERT ... ON CONFLICT
        assert writes == ["SELECT", *["INSERT", "UPDATE"] * 2, "INSERT", "INSERT", "UPDATE"]


# --- conditional writes, the trash, bulk, the change feed --------------------------------------


def test_a_write_with_if_match_costs_what_one_without_costs(auth_client, user, budget):
    task = TaskFactory(user=user)

    response, total, _ = budget(
        lambda: auth_client.patch(
            f"/api/tasks/{task.pk}", {"title": "x"}, format="json", HTTP_IF_MATCH=f'"{task.pk}-1"'
        )
    )

    assert response.status_code == 200
    assert total == 1 + numbered_write()  # the version check is in the UPDATE's WHERE


def test_a_stale_if_match_costs_one_more_read(auth_client, user, budget):
    task = TaskFactory(user=user)

    response, total, _ = budget(
        lambda: auth_client.patch(
            f"/api/tasks/{task.pk}", {"title": "x"}, format="json", HTTP_IF_MATCH=f'"{task.pk}-9"'
        )
    )

    assert response.status_code == 412
    assert total == 1 + numbered_write() + 1  # the UPDATE found no row; a read tells 412 from 404


@pytest.mark.parametrize("method,suffix", [("delete", ""), ("post", "/restore")])
def test_delete_and_restore_cost_one_write(auth_client, user, budget, method, suffix):
    task = TaskFactory(user=user)
    if suffix:
        auth_client.delete(f"/api/tasks/{task.pk}")

    response, total, _ = budget(
        lambda: getattr(auth_client, method)(f"/api/tasks/{task.pk}{suffix}")
    )

    assert response.status_code in (200, 204)
    assert total == 1 + numbered_write()


def test_purge_costs_6_statements(auth_client, user, budget):
    task = TaskFactory(user=user)
    auth_client.delete(f"/api/tasks/{task.pk}")

    response, total, _ = budget(lambda: auth_client.delete(f"/api/tasks/trash/{task.pk}"))

    assert response.status_code == 204
    # the user; SAVEPOINT (BEGIN), lock the counter, DELETE ... RETURNING, the numbers, the
    # tombstones' INSERT, RELEASE (COMMIT)
    assert total == 1 + 6


def test_the_trash_list_costs_2_statements(auth_client, user, budget):
    for task in TaskFactory.create_batch(20, user=user):
        auth_client.delete(f"/api/tasks/{task.pk}")

    response, total, _ = budget(lambda: auth_client.get("/api/tasks/trash"))

    assert response.json()["meta"]["count"] == 20
    assert total == 2


def test_the_change_feed_costs_4_statements(auth_client, hundred_tasks, budget):
    response, total, _ = budget(lambda: auth_client.get("/api/tasks/changes?limit=50"))

    assert len(response.json()["data"]) == 50
    assert total == 4  # the user, the counter, the tasks, the tombstones


def test_a_bulk_action_costs_one_write_per_task(auth_client, user, budget):
    ids = [task.pk for task in TaskFactory.create_batch(10, user=user)]

    response, total, _ = budget(
        lambda: auth_client.post("/api/tasks/bulk", {"action": "delete", "ids": ids}, format="json")
    )

    assert response.json()["data"]["succeeded"] == ids
    # the user; SAVEPOINT/RELEASE around the whole; one numbered write per task
    assert total == 1 + 2 + 10 * numbered_write()
