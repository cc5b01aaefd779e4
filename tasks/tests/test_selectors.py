"""Task selectors: where every query on a user's tasks starts (scoped to the owner)."""

from datetime import UTC, datetime, timedelta

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.selectors import task_list, task_row, task_rows

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def test_task_list_holds_only_the_users_tasks(user, other_user):
    mine = TaskFactory.create_batch(2, user=user)
    TaskFactory(user=other_user)

    assert set(task_list(user=user)) == set(mine)


def test_task_list_of_a_user_without_tasks_is_empty(user, other_user):
    TaskFactory(user=other_user)

    assert list(task_list(user=user)) == []


def test_task_list_is_newest_first_then_highest_id(user):
    a, b, c, d = TaskFactory.create_batch(4, user=user)
    Task.objects.filter(pk__in=[a.pk, b.pk]).update(created_at=OLD + timedelta(days=1))
    Task.objects.filter(pk__in=[c.pk, d.pk]).update(created_at=OLD)

    assert list(task_list(user=user)) == [b, a, d, c]


def test_task_rows_are_plain_dicts_of_the_row_fields(user):
    task = TaskFactory(user=user, title="Row", description=None)

    [row] = task_rows(task_list(user=user))

    assert row == {
        "id": task.pk,
        "user_id": user.pk,
        "title": "Row",
        "description": None,
        "completed": False,
        "completed_at": None,
        "priority": 2,
        "tags": [],
        "due_at": None,
        "remind_at": None,
        "recurrence": None,
        "next_occurrence_id": None,
        "version": 1,
        "deleted_at": None,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


def test_task_row_finds_a_task_only_within_the_scoped_queryset(user, other_user):
    mine, theirs = TaskFactory(user=user), TaskFactory(user=other_user)

    assert task_row(task_list(user=user), task_id=mine.pk)["id"] == mine.pk
    assert task_row(task_list(user=user), task_id=theirs.pk) is None
    assert task_row(task_list(user=user), task_id=10**12) is None
