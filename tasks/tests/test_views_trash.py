"""The trash: delete moves a task there, restore brings it back, purge removes it for good
(with a tombstone), `manage.py purge_trash` after TRASH_RETENTION_DAYS."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tasks.factories import TaskFactory
from tasks.models import Task, TaskTombstone
from testing.snapshot import stored

from .helpers import task_json, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def trashed(auth_client, user):
    task = TaskFactory(user=user, title="Binned", tags=["work"])
    assert auth_client.delete(f"/api/tasks/{task.pk}").status_code == 204
    task.refresh_from_db()
    return task


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("get", "", None),
        ("put", "", {"title": "x"}),
        ("patch", "", {"title": "x"}),
        ("patch", "/complete", None),
        ("delete", "", None),
    ],
)
def test_a_trashed_task_is_404_everywhere_but_the_trash(
    auth_client, trashed, mount, method, suffix, body
):
    before = stored()

    response = getattr(auth_client, method)(
        f"{url(mount, trashed.pk)}{suffix}", body, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert stored() == before


def test_a_trashed_task_is_not_in_the_list_the_filters_or_the_tags(auth_client, user, trashed):
    keep = TaskFactory(user=user, tags=["home"])

    listed = auth_client.get("/api/tasks").json()
    filtered = auth_client.get("/api/tasks?completed=false&search=Binned").json()
    tags = auth_client.get("/api/tags").json()["data"]

    assert [task["id"] for task in listed["data"]] == [keep.pk]
    assert listed["meta"]["count"] == 1
    assert filtered["data"] == []
    assert tags == [{"name": "home", "count": 1}]


def test_delete_sets_deleted_at_and_grows_the_version(trashed):
    assert trashed.deleted_at is not None
    assert trashed.version == 2
    assert trashed.updated_at == trashed.deleted_at


def test_the_trash_lists_most_recently_deleted_first_paginated(auth_client, user, mount, slash):
    tasks = TaskFactory.create_batch(3, user=user)
    TaskFactory(user=user)  # not deleted
    for n, task in enumerate(tasks):
        Task.objects.filter(pk=task.pk).update(deleted_at=datetime(2026, 1, 1 + n, tzinfo=UTC))

    response = auth_client.get(f"{mount}/trash{slash}?limit=2")

    body = response.json()
    assert response.status_code == 200
    assert [task["id"] for task in body["data"]] == [tasks[2].pk, tasks[1].pk]
    assert body["data"][0] == task_json(tasks[2])
    assert body["data"][0]["deleted_at"] == "2026-01-03T00:00:00Z"
    assert body["meta"]["count"] == 3
    assert body["message"] == "Trash retrieved"


def test_the_trash_shows_only_the_callers_tasks(auth_client, other_user):
    theirs = TaskFactory(user=other_user)
    Task.objects.filter(pk=theirs.pk).update(deleted_at=timezone.now())

    assert auth_client.get("/api/tasks/trash").json()["data"] == []


def test_restore_brings_the_task_back_with_a_new_version(auth_client, trashed, mount, slash):
    response = auth_client.post(f"{url(mount, trashed.pk)}/restore{slash}")

    trashed.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["data"] == task_json(trashed)
    assert response.json()["message"] == "Task restored"
    assert trashed.deleted_at is None
    assert trashed.version == 3
    assert response["ETag"] == f'"{trashed.pk}-3"'
    assert [t["id"] for t in auth_client.get("/api/tasks").json()["data"]] == [trashed.pk]


def test_restore_of_a_task_not_in_the_trash_is_404(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.post(f"/api/tasks/{task.pk}/restore")

    assert response.status_code == 404
    task.refresh_from_db()
    assert task.version == 1


def test_restore_of_another_users_trashed_task_is_404(auth_client, other_user):
    theirs = TaskFactory(user=other_user)
    Task.objects.filter(pk=theirs.pk).update(deleted_at=timezone.now())
    before = stored()

    assert auth_client.post(f"/api/tasks/{theirs.pk}/restore").status_code == 404
    assert auth_client.delete(f"/api/tasks/trash/{theirs.pk}").status_code == 404
    assert auth_client.delete("/api/tasks/trash").json()["data"] == {"purged": 0}
    assert stored() == before


def test_restore_with_a_stale_if_match_is_412(auth_client, trashed):
    response = auth_client.post(
        f"/api/tasks/{trashed.pk}/restore", HTTP_IF_MATCH=f'"{trashed.pk}-1"'
    )

    assert response.status_code == 412
    assert response.json()["error"]["details"]["current"] == task_json(trashed)
    trashed.refresh_from_db()
    assert trashed.deleted_at is not None


def test_restore_with_the_current_if_match_works(auth_client, trashed):
    response = auth_client.post(
        f"/api/tasks/{trashed.pk}/restore", HTTP_IF_MATCH=f'"{trashed.pk}-2"'
    )

    assert response.status_code == 200


def test_purge_removes_the_task_for_good_and_leaves_a_tombstone(auth_client, user, trashed, mount):
    response = auth_client.delete(f"{mount}/trash/{trashed.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Task.objects.filter(pk=trashed.pk).exists()
    tombstone = TaskTombstone.objects.get()
    assert (tombstone.user_id, tombstone.task_id) == (user.pk, trashed.pk)
    assert tombstone.change_seq > trashed.change_seq
    assert auth_client.post(f"/api/tasks/{trashed.pk}/restore").status_code == 404


def test_purge_of_a_task_not_in_the_trash_is_404(auth_client, user):
    task = TaskFactory(user=user)

    assert auth_client.delete(f"/api/tasks/trash/{task.pk}").status_code == 404
    assert Task.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize("raw", ["0", "abc", "-1", "9" * 20])
def test_purge_with_a_malformed_id_is_422(auth_client, raw):
    response = auth_client.delete(f"/api/tasks/trash/{raw}")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"task_id": ["Must be a positive integer."]}


def test_emptying_the_trash_purges_only_the_callers_trashed_tasks(
    auth_client, user, other_user, mount, slash
):
    mine = TaskFactory.create_batch(2, user=user)
    kept = TaskFactory(user=user)
    theirs = TaskFactory(user=other_user)
    Task.objects.filter(pk__in=[t.pk for t in [*mine, theirs]]).update(deleted_at=timezone.now())

    response = auth_client.delete(f"{mount}/trash{slash}")

    assert response.status_code == 200
    assert response.json()["data"] == {"purged": 2}
    assert response.json()["message"] == "Trash emptied"
    assert set(Task.objects.values_list("pk", flat=True)) == {kept.pk, theirs.pk}
    assert sorted(TaskTombstone.objects.values_list("task_id", flat=True)) == [t.pk for t in mine]


@pytest.mark.parametrize("word", ["trash", "bulk", "changes"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_fixed_paths_are_never_read_as_a_task_id(auth_client, word, method):
    response = getattr(auth_client, method)(f"/api/tasks/{word}", {"title": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_purging_a_completed_recurring_task_never_lets_it_spawn_again(auth_client, user):
    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")
    child_id = auth_client.patch(f"/api/tasks/{task.pk}/complete").json()["data"][
        "next_occurrence_id"
    ]
    auth_client.delete(f"/api/tasks/{child_id}")
    auth_client.delete(f"/api/tasks/trash/{child_id}")

    auth_client.patch(f"/api/tasks/{task.pk}/complete", {"completed": False}, format="json")
    response = auth_client.patch(
        f"/api/tasks/{task.pk}/complete", {"completed": True}, format="json"
    )

    assert response.json()["data"]["next_occurrence_id"] == child_id  # the link stays
    assert Task.objects.count() == 1


def test_purging_the_parent_keeps_the_child_and_its_own_next_occurrence(auth_client, user):
    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")
    child_id = auth_client.patch(f"/api/tasks/{task.pk}/complete").json()["data"][
        "next_occurrence_id"
    ]
    auth_client.delete(f"/api/tasks/{task.pk}")
    auth_client.delete("/api/tasks/trash")

    response = auth_client.patch(f"/api/tasks/{child_id}/complete")

    assert response.status_code == 200
    grandchild = response.json()["data"]["next_occurrence_id"]
    assert grandchild is not None
    assert Task.objects.get(pk=child_id).previous_occurrence_id == task.pk
    assert set(Task.objects.values_list("pk", flat=True)) == {child_id, grandchild}


# --- manage.py purge_trash ---------------------------------------------------------------------


def _deleted_days_ago(user, days: float) -> Task:
    task = TaskFactory(user=user)
    Task.objects.filter(pk=task.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    return task


def test_purge_trash_removes_what_is_older_than_the_retention(user, other_user, settings):
    settings.TRASH_RETENTION_DAYS = 30
    old = [_deleted_days_ago(user, 31), _deleted_days_ago(other_user, 45)]
    recent = _deleted_days_ago(user, 29)
    live = TaskFactory(user=user)
    out = StringIO()

    call_command("purge_trash", stdout=out)

    assert set(Task.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert sorted(TaskTombstone.objects.values_list("task_id", "user_id")) == sorted(
        (task.pk, task.user_id) for task in old
    )
    assert out.getvalue() == "Purged 2 task(s) deleted more than 30 day(s) ago.\n"


def test_purge_trash_run_twice_purges_nothing_more(user):
    _deleted_days_ago(user, 40)
    call_command("purge_trash", stdout=StringIO())
    out = StringIO()

    call_command("purge_trash", stdout=out)

    assert out.getvalue().startswith("Purged 0 task(s)")
    assert TaskTombstone.objects.count() == 1


def test_purge_trash_defaults_to_30_days(settings):
    from todo_project import settings as project_settings

    assert project_settings.TRASH_RETENTION_DAYS == 30


@pytest.mark.parametrize("word", ["bulk", "changes"])
@pytest.mark.parametrize("method, action", [("patch", "complete"), ("post", "restore")])
def test_fixed_paths_are_not_task_ids_under_a_task_action_either(
    auth_client, mount, slash, word, method, action
):
    response = getattr(auth_client, method)(f"{mount}/{word}/{action}{slash}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
