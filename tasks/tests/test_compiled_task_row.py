"""task_row's compiled path (api.compiled) for `task_list(user=...)`: the same row as the ORM,
scoped to the owner; any further filter takes the ORM's path and keeps its meaning."""

from datetime import UTC, datetime

import pytest

from tasks.factories import TaskFactory
from tasks.selectors import task_list, task_row, task_rows

pytestmark = pytest.mark.django_db


def test_the_row_equals_the_orms(user):
    task = TaskFactory(user=user, tags=["a", "b"], due_at=datetime(2030, 1, 1, 9, tzinfo=UTC))

    row = task_row(task_list(user=user), task_id=task.pk)

    assert row == task_rows(task_list(user=user).filter(pk=task.pk)).get()
    assert row["tags"] == ["a", "b"]


def test_another_users_task_is_none(user, other_user):
    theirs = TaskFactory(user=other_user)

    assert task_row(task_list(user=user), task_id=theirs.pk) is None
    assert task_row(task_list(user=other_user), task_id=theirs.pk)["id"] == theirs.pk


def test_a_further_filtered_queryset_keeps_its_filter(user):
    open_task = TaskFactory(user=user, completed=False)

    assert task_row(task_list(user=user).filter(completed=True), task_id=open_task.pk) is None
    assert task_row(task_list(user=user).filter(completed=False), task_id=open_task.pk) == (
        task_row(task_list(user=user), task_id=open_task.pk)
    )
