"""Completing a recurring task, by every route, creates its next occurrence, once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.rules import Priority

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2030, 12, 6, 16, 0, tzinfo=UTC)
NEXT_FRIDAY = FRIDAY + timedelta(weeks=1)


@pytest.fixture
def weekly(user):
    return TaskFactory(
        user=user,
        title="Weekly review",
        description="Inbox zero",
        priority=Priority.HIGH,
        tags=["work", "Planning"],
        due_at=FRIDAY,
        remind_at=FRIDAY - timedelta(minutes=30),
        recurrence="FREQ=WEEKLY;BYDAY=FR",
    )


COMPLETIONS = {
    "toggle": lambda c, t: c.patch(f"/api/tasks/{t.pk}/complete"),
    "set": lambda c, t: c.patch(f"/api/tasks/{t.pk}/complete", {"completed": True}, format="json"),
    "patch": lambda c, t: c.patch(f"/api/tasks/{t.pk}", {"completed": True}, format="json"),
    "put": lambda c, t: c.put(
        f"/api/tasks/{t.pk}", {"title": t.title, "completed": True}, format="json"
    ),
    "user-mount": lambda c, t: c.patch(f"/api/{t.user_id}/tasks/{t.pk}/complete"),
}


@pytest.mark.parametrize("route", COMPLETIONS)
def test_completing_a_recurring_task_creates_its_next_occurrence(auth_client, weekly, route):
    response = COMPLETIONS[route](auth_client, weekly)

    assert response.status_code == 200
    child = Task.objects.exclude(pk=weekly.pk).get()
    assert response.json()["data"]["next_occurrence_id"] == child.pk
    assert response.json()["data"]["completed"] is True
    weekly.refresh_from_db()
    assert weekly.next_occurrence_id == child.pk
    assert (child.title, child.description, child.priority, child.tags, child.recurrence) == (
        "Weekly review",
        "Inbox zero",
        Priority.HIGH,
        ["work", "Planning"],
        "FREQ=WEEKLY;BYDAY=FR",
    )
    assert (child.due_at, child.remind_at) == (NEXT_FRIDAY, NEXT_FRIDAY - timedelta(minutes=30))
    assert (child.completed, child.completed_at, child.next_occurrence_id) == (False, None, None)
    assert child.user_id == weekly.user_id
    assert child.previous_occurrence_id == weekly.pk


def test_the_next_occurrence_is_in_the_list_and_searchable_by_its_tags(auth_client, weekly):
    COMPLETIONS["toggle"](auth_client, weekly)

    listed = auth_client.get("/api/tasks?tag=planning&completed=false&search=REVIEW").json()

    assert [t["due_at"] for t in listed["data"]] == ["2030-12-13T16:00:00Z"]


def test_uncompleting_and_completing_again_creates_no_second_occurrence(auth_client, weekly):
    for _ in range(5):
        COMPLETIONS["toggle"](auth_client, weekly)

    assert Task.objects.count() == 2
    weekly.refresh_from_db()
    assert weekly.completed is True


def test_completing_an_already_completed_task_creates_nothing(auth_client, user):
    done = TaskFactory(
        user=user, completed=True, due_at=FRIDAY, recurrence="FREQ=DAILY"
    )  # completed before it had a rule, say

    response = COMPLETIONS["set"](auth_client, done)

    assert response.json()["data"]["next_occurrence_id"] is None
    assert Task.objects.count() == 1


def test_missed_occurrences_are_skipped(auth_client, user):
    long_ago = timezone.now().replace(microsecond=0) - timedelta(days=30, hours=1)
    task = TaskFactory(user=user, due_at=long_ago, recurrence="FREQ=DAILY")

    COMPLETIONS["toggle"](auth_client, task)

    child = Task.objects.exclude(pk=task.pk).get()
    assert timezone.now() < child.due_at <= timezone.now() + timedelta(days=1)
    assert child.due_at.time() == long_ago.time()


def test_count_3_makes_exactly_three_tasks(auth_client, user):
    task = TaskFactory(user=user, due_at=FRIDAY, recurrence="FREQ=WEEKLY;COUNT=3")

    while task is not None:
        response = COMPLETIONS["toggle"](auth_client, task)
        next_id = response.json()["data"]["next_occurrence_id"]
        task = Task.objects.get(pk=next_id) if next_id else None

    dues = list(Task.objects.order_by("due_at").values_list("due_at", flat=True))
    assert dues == [FRIDAY, FRIDAY + timedelta(weeks=1), FRIDAY + timedelta(weeks=2)]
    assert not Task.objects.filter(completed=False).exists()


def test_a_rule_with_no_further_occurrence_spawns_none(auth_client, user):
    task = TaskFactory(user=user, due_at=FRIDAY, recurrence="FREQ=DAILY;UNTIL=20301206T235959Z")

    response = COMPLETIONS["toggle"](auth_client, task)

    assert response.json()["data"]["completed"] is True
    assert response.json()["data"]["next_occurrence_id"] is None
    assert Task.objects.count() == 1


def test_setting_a_rule_and_completing_in_one_write_uses_the_new_rule(auth_client, user):
    task = TaskFactory(user=user, due_at=FRIDAY)

    auth_client.patch(
        f"/api/tasks/{task.pk}", {"completed": True, "recurrence": "FREQ=DAILY"}, format="json"
    )

    assert Task.objects.exclude(pk=task.pk).get().due_at == FRIDAY + timedelta(days=1)


def test_clearing_the_rule_while_completing_spawns_nothing(auth_client, weekly):
    auth_client.patch(
        f"/api/tasks/{weekly.pk}", {"completed": True, "recurrence": None}, format="json"
    )

    assert Task.objects.count() == 1


def test_a_changed_rule_starts_a_new_count_at_this_task(auth_client, user):
    first = TaskFactory(user=user, due_at=FRIDAY, recurrence="FREQ=WEEKLY;COUNT=2")
    second_id = COMPLETIONS["toggle"](auth_client, first).json()["data"]["next_occurrence_id"]
    second = Task.objects.get(pk=second_id)
    assert second.recurrence_position == 2

    auth_client.patch(
        f"/api/tasks/{second_id}", {"recurrence": "FREQ=DAILY;COUNT=2"}, format="json"
    )
    same_rule = auth_client.patch(
        f"/api/tasks/{second_id}", {"recurrence": "FREQ=DAILY;COUNT=2"}, format="json"
    )
    third_id = COMPLETIONS["toggle"](auth_client, second).json()["data"]["next_occurrence_id"]

    assert same_rule.status_code == 200
    assert Task.objects.get(pk=third_id).due_at == second.due_at + timedelta(days=1)
    assert Task.objects.get(pk=third_id).recurrence_position == 2


def test_another_users_recurring_task_is_404_and_spawns_nothing(client_for, other_user, weekly):
    response = COMPLETIONS["toggle"](client_for(other_user), weekly)

    assert response.status_code == 404
    assert Task.objects.count() == 1
    weekly.refresh_from_db()
    assert weekly.completed is False


def test_a_reminder_keeps_its_distance_before_the_due_time(auth_client, user):
    task = TaskFactory(
        user=user,
        due_at=FRIDAY,
        remind_at=FRIDAY - timedelta(days=1, hours=2),
        recurrence="FREQ=MONTHLY",
    )

    COMPLETIONS["toggle"](auth_client, task)

    child = Task.objects.exclude(pk=task.pk).get()
    assert child.due_at == datetime(2031, 1, 6, 16, tzinfo=UTC)
    assert child.due_at - child.remind_at == timedelta(days=1, hours=2)
