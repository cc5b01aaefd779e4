"""POST .../bulk: one action on many tasks by ids or by the list's filters, in one transaction."""

import sqlite3
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tasks.factories import TaskFactory
from tasks.models import Task, TaskTombstone
from testing.snapshot import stored

pytestmark = pytest.mark.django_db


def _bulk(client, body, base="/api/tasks"):
    return client.post(f"{base}/bulk", body, format="json")


def test_bulk_complete_by_ids_reports_each_id(auth_client, user, other_user, mount, slash):
    mine = TaskFactory.create_batch(2, user=user)
    theirs = TaskFactory(user=other_user)
    ids = [mine[0].pk, theirs.pk, 99999, mine[1].pk]

    response = auth_client.post(
        f"{mount}/bulk{slash}", {"action": "complete", "ids": ids}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["data"] == {
        "succeeded": [mine[0].pk, mine[1].pk],
        "not_found": [theirs.pk, 99999],
    }
    assert response.json()["message"] == "Bulk action done"
    assert set(Task.objects.filter(completed=True).values_list("pk", flat=True)) == {
        t.pk for t in mine
    }
    assert all(t.version == 2 for t in Task.objects.filter(user=user))
    theirs.refresh_from_db()
    assert (theirs.completed, theirs.version) == (False, 1)


def test_bulk_uncomplete(auth_client, user):
    tasks = TaskFactory.create_batch(2, user=user, completed=True)

    response = _bulk(auth_client, {"action": "uncomplete", "ids": [t.pk for t in tasks]})

    assert response.json()["data"]["succeeded"] == [t.pk for t in tasks]
    assert not Task.objects.filter(completed=True).exists()


def test_bulk_delete_then_restore_then_purge(auth_client, user):
    tasks = TaskFactory.create_batch(3, user=user)
    ids = [t.pk for t in tasks]

    deleted = _bulk(auth_client, {"action": "delete", "ids": ids}).json()["data"]
    assert deleted == {"succeeded": ids, "not_found": []}
    assert Task.objects.filter(deleted_at__isnull=False).count() == 3

    restored = _bulk(auth_client, {"action": "restore", "ids": ids[:1]}).json()["data"]
    assert restored == {"succeeded": ids[:1], "not_found": []}

    purged = _bulk(auth_client, {"action": "purge", "ids": ids}).json()["data"]
    assert purged == {"succeeded": ids[1:], "not_found": ids[:1]}  # the first is not in the trash
    assert list(Task.objects.values_list("pk", flat=True)) == ids[:1]


def test_bulk_restore_of_tasks_not_in_the_trash_is_not_found(auth_client, user):
    task = TaskFactory(user=user)

    response = _bulk(auth_client, {"action": "restore", "ids": [task.pk]})

    assert response.json()["data"] == {"succeeded": [], "not_found": [task.pk]}
    task.refresh_from_db()
    assert task.version == 1


def test_bulk_delete_by_filter_clears_the_completed_tasks(auth_client, user, other_user):
    done = TaskFactory.create_batch(2, user=user, completed=True)
    open_ = TaskFactory(user=user, completed=False)
    theirs = TaskFactory(user=other_user, completed=True)

    response = _bulk(auth_client, {"action": "delete", "filter": {"completed": True}})

    assert response.json()["data"] == {"succeeded": [t.pk for t in done], "not_found": []}
    assert set(Task.objects.filter(deleted_at=None).values_list("pk", flat=True)) == {
        open_.pk,
        theirs.pk,
    }


def test_bulk_purge_by_filter_selects_among_trashed_tasks(auth_client, user):
    binned = TaskFactory(user=user, priority=3)
    live = TaskFactory(user=user, priority=3)
    Task.objects.filter(pk=binned.pk).update(deleted_at=timezone.now())

    response = _bulk(auth_client, {"action": "purge", "filter": {"priority": "high"}})

    assert response.json()["data"] == {"succeeded": [binned.pk], "not_found": []}
    assert list(Task.objects.values_list("pk", flat=True)) == [live.pk]


def test_bulk_complete_spawns_each_recurring_tasks_next_occurrence_once(auth_client, user):
    due = datetime(2030, 1, 1, tzinfo=UTC)
    recurring = TaskFactory.create_batch(2, user=user, due_at=due, recurrence="FREQ=DAILY")
    ids = [t.pk for t in recurring]

    first = _bulk(auth_client, {"action": "complete", "ids": ids})
    _bulk(auth_client, {"action": "uncomplete", "ids": ids})
    _bulk(auth_client, {"action": "complete", "ids": ids})

    assert first.json()["data"]["succeeded"] == ids
    children = Task.objects.exclude(pk__in=ids)
    assert sorted(children.values_list("previous_occurrence_id", flat=True)) == ids
    for task in Task.objects.filter(pk__in=ids):
        assert task.next_occurrence_id in set(children.values_list("pk", flat=True))
    assert {c.due_at for c in children} == {datetime(2030, 1, 2, tzinfo=UTC)}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": "complete", "ids": list(range(1, 502))}, "ids"),
        ({"action": "complete", "ids": []}, "ids"),
        ({"action": "complete", "ids": [1, 1]}, "ids"),
        ({"action": "complete", "ids": [1, "2"]}, "ids"),
        ({"action": "complete", "ids": [1.0]}, "ids"),
        ({"action": "complete", "ids": [True]}, "ids"),
        ({"action": "complete", "ids": [0]}, "ids"),
        ({"action": "complete", "ids": [2**63]}, "ids"),
        ({"action": "complete", "ids": "1,2"}, "ids"),
        ({"action": "explode", "ids": [1]}, "action"),
        ({"ids": [1]}, "action"),
        ({"action": "complete"}, "non_field_errors"),
        ({"action": "complete", "ids": [1], "filter": {}}, "non_field_errors"),
        ({"action": "delete", "filter": {"completed": "maybe"}}, "filter"),
        ({"action": "delete", "filter": {"complete": True}}, "filter"),
        ({"action": "delete", "filter": []}, "filter"),
        # An empty value is not "no filter": it must not widen a bulk delete to every task.
        ({"action": "delete", "filter": {"completed": None}}, "filter"),
        ({"action": "delete", "filter": {"overdue": None}}, "filter"),
        ({"action": "delete", "filter": {"priority": None}}, "filter"),
        ({"action": "delete", "filter": {"tag": None}}, "filter"),
        ({"action": "delete", "filter": {"tag": []}}, "filter"),
        ({"action": "delete", "filter": {"due_before": None}}, "filter"),
        ({"action": "purge", "filter": {"has_due": None}}, "filter"),
    ],
)
def test_bad_bulk_input_is_422_and_changes_nothing(auth_client, user, body, field):
    TaskFactory(user=user, title="Untouched")
    before = stored()

    response = _bulk(auth_client, body)

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]
    assert stored() == before


def test_a_failure_midway_rolls_the_whole_bulk_back(auth_client, user):
    tasks = TaskFactory.create_batch(2, user=user)
    # A rule stored without the services' checks: completing the second task fails (422) after
    # the first one was completed in the same transaction.
    Task.objects.filter(pk=tasks[1].pk).update(recurrence="FREQ=BOGUS", due_at=timezone.now())

    response = _bulk(auth_client, {"action": "complete", "ids": [t.pk for t in tasks]})

    assert response.status_code == 422
    assert not Task.objects.filter(completed=True).exists()


def test_bulk_on_the_user_id_mount_of_someone_else_is_403(auth_client, user, other_user):
    task = TaskFactory(user=other_user)

    response = _bulk(
        auth_client, {"action": "delete", "ids": [task.pk]}, f"/api/{other_user.pk}/tasks"
    )

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.deleted_at is None


def test_bulk_errors_are_flat_lists_of_messages(auth_client):
    response = _bulk(auth_client, {"action": "delete", "ids": [1, "2", True]})

    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "1: Must be an integer.",
        "details": {"ids": ["1: Must be an integer.", "2: Must be an integer."]},
    }


def test_bulk_filter_errors_name_the_parameter(auth_client):
    response = _bulk(auth_client, {"action": "delete", "filter": {"overdue": "x", "nope": 1}})

    assert response.json()["error"]["details"] == {"filter": ["nope: Unknown filter parameter."]}


def test_a_null_filter_value_names_the_parameter_and_deletes_nothing(auth_client, user):
    task = TaskFactory(user=user)

    response = _bulk(auth_client, {"action": "delete", "filter": {"completed": None}})

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"filter": ["completed: Must have a value."]}
    task.refresh_from_db()
    assert task.deleted_at is None


def test_a_purge_by_filter_of_more_tasks_than_a_statement_takes_parameters(auth_client, user):
    """SQLite builds before 3.32 take 999 parameters a statement (PostgreSQL 65535): a filter
    that matches more trashed tasks than that purges them all, not a 500."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the limit is lowered on SQLite's connection (PostgreSQL's is 65535)")
    trashed = TaskFactory.create_batch(1200, user=user, deleted_at=timezone.now())
    kept = TaskFactory(user=user)
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    before = connection.connection.setlimit(limit, 999)
    try:
        response = _bulk(auth_client, {"action": "purge", "filter": {}})
    finally:
        connection.connection.setlimit(limit, before)  # the connection serves later tests

    assert response.status_code == 200, response.content
    assert sorted(response.json()["data"]["succeeded"]) == sorted(t.pk for t in trashed)
    assert list(Task.objects.values_list("pk", flat=True)) == [kept.pk]
    assert TaskTombstone.objects.count() == 1200
