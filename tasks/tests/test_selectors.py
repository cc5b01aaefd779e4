"""Task selectors: the one place that scopes tasks to their owner."""

from datetime import UTC, datetime, timedelta

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.selectors import task_list

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
