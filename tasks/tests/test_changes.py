"""Change numbers (tasks.changes): every write numbers its task from the owner's counter, in
the same statement (PostgreSQL) or transaction (SQLite); the feed reads them back in order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.changes import InvalidCursor, make_cursor, read_cursor, task_changes
from tasks.models import ChangeCounter, Task, TaskTombstone
from tasks.services import (
    task_create,
    task_delete,
    task_restore,
    task_set_completed,
    task_update,
)
from tasks.trash import task_purge

pytestmark = pytest.mark.django_db


def _seq(task) -> int:
    return Task.objects.values_list("change_seq", flat=True).get(pk=task.pk)


def test_every_write_takes_the_next_number_of_its_owner(user):
    task = task_create(user=user, title="One")
    numbers = [_seq(task)]
    for write in (
        lambda: task_update(user=user, task_id=task.pk, title="Two"),
        lambda: task_set_completed(user=user, task_id=task.pk),
        lambda: task_delete(user=user, task_id=task.pk),
        lambda: task_restore(user=user, task_id=task.pk),
    ):
        write()
        numbers.append(_seq(task))

    assert numbers == [1, 2, 3, 4, 5]
    assert ChangeCounter.objects.get(user=user).last == 5
    assert Task.objects.get(pk=task.pk).version == 5


def test_each_user_has_a_counter_of_their_own(user, other_user):
    mine = [task_create(user=user, title=str(n)) for n in range(3)]
    theirs = task_create(user=other_user, title="x")

    assert [_seq(task) for task in mine] == [1, 2, 3]
    assert _seq(theirs) == 1


def test_a_write_that_finds_no_task_numbers_no_task(user, other_user):
    theirs = task_create(user=other_user, title="x")

    assert task_update(user=user, task_id=theirs.pk, title="Mine") is None

    assert _seq(theirs) == 1
    assert Task.objects.get(pk=theirs.pk).title == "x"


def test_a_purge_numbers_the_tombstone_after_every_earlier_change(user):
    task = task_create(user=user, title="x")
    task_delete(user=user, task_id=task.pk)

    assert task_purge(user=user, task_id=task.pk) is True

    tombstone = TaskTombstone.objects.get()
    assert tombstone.change_seq == 3
    assert ChangeCounter.objects.get(user=user).last == 3


def test_a_recurring_completion_numbers_the_task_before_its_next_occurrence(user):
    from datetime import UTC, datetime

    task = task_create(
        user=user, title="r", due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY"
    )

    done = task_set_completed(user=user, task_id=task.pk, completed=True)

    child = Task.objects.get(pk=done.next_occurrence_id)
    assert _seq(task) < child.change_seq
    items, last, has_more = task_changes(user=user, after=1, limit=10)
    assert [item["id"] for item in items] == [task.pk, child.pk]
    assert items[0]["next_occurrence_id"] == child.pk  # the link is part of the same change


def test_on_postgresql_a_write_is_one_statement_that_takes_its_number(postgres_only, user):
    task = task_create(user=user, title="x")

    with CaptureQueriesContext(connection) as queries:
        task_update(user=user, task_id=task.pk, title="y")

    [query] = queries.captured_queries
    assert query["sql"].startswith("WITH seq AS (INSERT INTO")
    assert ") UPDATE tasks_task SET " in query["sql"]


def test_on_sqlite_a_write_takes_its_number_first_in_one_transaction(user):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite form")
    task = task_create(user=user, title="x")

    with CaptureQueriesContext(connection) as queries:
        task_update(user=user, task_id=task.pk, title="y")

    kinds = [q["sql"].split()[0] for q in queries.captured_queries]
    assert kinds == ["SAVEPOINT", "INSERT", "UPDATE", "RELEASE"]  # in a test's transaction
    assert "ON CONFLICT" in queries.captured_queries[1]["sql"]


def test_the_feed_reads_only_up_to_the_counters_committed_value(user):
    task = task_create(user=user, title="x")
    # A number beyond the counter (as an uncommitted write's would be) is not read yet.
    Task.objects.filter(pk=task.pk).update(change_seq=99)

    items, last, has_more = task_changes(user=user, after=0, limit=10)

    assert (items, last, has_more) == ([], 1, False)


def test_cursors_round_trip_and_are_bound_to_their_user(user, other_user):
    cursor = make_cursor(user_id=user.pk, seq=41)

    assert read_cursor(user_id=user.pk, cursor=cursor) == 41
    assert read_cursor(user_id=user.pk, cursor=None) == 0
    with pytest.raises(InvalidCursor):
        read_cursor(user_id=other_user.pk, cursor=cursor)
