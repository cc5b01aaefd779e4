"""ETag, If-Match and If-None-Match on tasks: versions, 412 with the current task, 304."""

import pytest

from accounts import user_cache
from tasks.factories import TaskFactory
from tasks.models import Task
from testing.snapshot import stored

from .helpers import task_json, url

pytestmark = pytest.mark.django_db

WRITES = {
    "put": ("put", "", {"title": "New"}),
    "patch": ("patch", "", {"title": "New"}),
    "complete": ("patch", "/complete", None),
    "delete": ("delete", "", None),
}


def _send(client, base, task, write, **headers):
    method, suffix, body = WRITES[write]
    return getattr(client, method)(f"{url(base, task.pk)}{suffix}", body, format="json", **headers)


def test_get_has_a_strong_etag_of_id_and_version(auth_client, user, mount):
    task = TaskFactory(user=user)

    response = auth_client.get(url(mount, task.pk))

    assert response["ETag"] == f'"{task.pk}-1"'
    assert response.json()["data"]["version"] == 1


def test_create_answers_version_1_and_its_etag(auth_client, mount):
    response = auth_client.post(mount, {"title": "New"}, format="json")

    task = Task.objects.get()
    assert response.status_code == 201
    assert response["ETag"] == f'"{task.pk}-1"'
    assert response.json()["data"] == task_json(task)
    assert response.json()["data"]["version"] == 1


@pytest.mark.parametrize("write", ["put", "patch", "complete"])
def test_every_write_grows_the_version_and_the_etag(auth_client, user, mount, write):
    task = TaskFactory(user=user)

    response = _send(auth_client, mount, task, write)

    task.refresh_from_db()
    assert task.version == 2
    assert response["ETag"] == f'"{task.pk}-2"'
    assert response.json()["data"] == task_json(task)


@pytest.mark.parametrize("write", list(WRITES))
def test_a_matching_if_match_writes(auth_client, user, mount, write):
    task = TaskFactory(user=user)

    response = _send(auth_client, mount, task, write, HTTP_IF_MATCH=f'"{task.pk}-1"')

    assert response.status_code in (200, 204), response.content
    task.refresh_from_db()
    assert task.version == 2


@pytest.mark.parametrize("write", list(WRITES))
def test_a_stale_if_match_is_412_with_the_current_task_and_changes_nothing(
    auth_client, user, mount, write
):
    task = TaskFactory(user=user, title="Current")
    Task.objects.filter(pk=task.pk).update(version=3)
    before = stored()

    response = _send(auth_client, mount, task, write, HTTP_IF_MATCH=f'"{task.pk}-2"')

    assert response.status_code == 412
    assert response.json() == {
        "success": False,
        "error": {
            "code": "PRECONDITION_FAILED",
            "message": "The task has changed since you read it (If-Match).",
            "details": {"current": task_json(task)},
        },
    }
    assert response.json()["error"]["details"]["current"]["version"] == 3
    assert stored() == before


@pytest.mark.parametrize(
    "header",
    ['"999-1"', 'W/"{id}-1"', '"{id}-x"', '"{id}-01"', '"{id}"', '""', '"{id}-99999999999"'],
)
def test_if_match_with_no_tag_of_this_version_is_412(auth_client, user, header):
    task = TaskFactory(user=user)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"title": "New"}, format="json",
        HTTP_IF_MATCH=header.format(id=task.pk),
    )  # fmt: skip

    assert response.status_code == 412
    task.refresh_from_db()
    assert task.version == 1


def test_if_match_with_a_list_matches_any_of_its_tags(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"title": "New"}, format="json",
        HTTP_IF_MATCH=f'"{task.pk}-7", W/"x", "{task.pk}-1"',
    )  # fmt: skip

    assert response.status_code == 200
    assert response["ETag"] == f'"{task.pk}-2"'


@pytest.mark.parametrize("write", list(WRITES))
def test_if_match_star_matches_any_existing_task(auth_client, user, write):
    task = TaskFactory(user=user)
    Task.objects.filter(pk=task.pk).update(version=5)

    response = _send(auth_client, "/api/tasks", task, write, HTTP_IF_MATCH="*")

    assert response.status_code in (200, 204)
    task.refresh_from_db()
    assert task.version == 6


@pytest.mark.parametrize("header", ["*", '"{id}-1"'])
def test_if_match_on_a_missing_or_foreign_task_is_404(auth_client, other_user, header):
    theirs = TaskFactory(user=other_user)
    before = stored()

    for task_id in (theirs.pk, 987654):
        response = auth_client.patch(
            f"/api/tasks/{task_id}", {"title": "Mine"}, format="json",
            HTTP_IF_MATCH=header.format(id=task_id),
        )  # fmt: skip
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert stored() == before


@pytest.mark.parametrize("header", ["7-1", '"7-1', "W/7", '"a" "b"', '"a",,', ",", '"a" x'])
def test_a_malformed_if_match_is_422_naming_the_header(auth_client, user, header):
    task = TaskFactory(user=user)
    before = stored()

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"title": "New"}, format="json", HTTP_IF_MATCH=header
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["If-Match"]
    assert stored() == before


def test_an_if_match_on_a_recurring_completion_that_is_stale_spawns_nothing(auth_client, user):
    from datetime import UTC, datetime

    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")
    Task.objects.filter(pk=task.pk).update(version=2)

    response = auth_client.patch(f"/api/tasks/{task.pk}/complete", HTTP_IF_MATCH=f'"{task.pk}-1"')

    assert response.status_code == 412
    assert Task.objects.count() == 1


def test_a_matching_if_match_on_a_recurring_completion_spawns_once(auth_client, user):
    from datetime import UTC, datetime

    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")

    response = auth_client.patch(f"/api/tasks/{task.pk}/complete", HTTP_IF_MATCH=f'"{task.pk}-1"')

    assert response.status_code == 200
    assert response.json()["data"]["next_occurrence_id"] is not None
    assert Task.objects.count() == 2


# --- If-None-Match --------------------------------------------------------------------------


def test_get_with_the_current_etag_is_304_without_a_body(auth_client, user, mount):
    task = TaskFactory(user=user)
    etag = auth_client.get(url(mount, task.pk))["ETag"]

    response = auth_client.get(url(mount, task.pk), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_get_with_a_weak_form_of_the_etag_is_304_too(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.get(f"/api/tasks/{task.pk}", HTTP_IF_NONE_MATCH=f'W/"{task.pk}-1"')

    assert response.status_code == 304


def test_get_after_a_change_is_200_with_the_new_etag(auth_client, user):
    task = TaskFactory(user=user)
    etag = auth_client.get(f"/api/tasks/{task.pk}")["ETag"]
    auth_client.patch(f"/api/tasks/{task.pk}", {"title": "Changed"}, format="json")

    response = auth_client.get(f"/api/tasks/{task.pk}", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Changed"
    assert response["ETag"] == f'"{task.pk}-2"'


def test_if_none_match_on_a_foreign_task_is_404(auth_client, other_user):
    theirs = TaskFactory(user=other_user)

    response = auth_client.get(f"/api/tasks/{theirs.pk}", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 404


def test_a_malformed_if_none_match_is_422(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.get(f"/api/tasks/{task.pk}", HTTP_IF_NONE_MATCH="nope")

    assert response.status_code == 422
    assert list(response.json()["error"]["details"]) == ["If-None-Match"]


def test_the_list_has_a_weak_etag_and_answers_304_while_nothing_changed(auth_client, user):
    TaskFactory.create_batch(3, user=user)
    first = auth_client.get("/api/tasks")

    again = auth_client.get("/api/tasks", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    "change",
    [
        lambda task, user: Task.objects.filter(pk=task.pk).update(priority=3),
        lambda task, user: Task.objects.filter(pk=task.pk).update(tags=["new"]),
        lambda task, user: TaskFactory(user=user),
        lambda task, user: Task.objects.filter(pk=task.pk).delete(),
    ],
    ids=["value", "tags", "added", "removed"],
)
def test_the_list_etag_changes_with_any_listed_value_or_the_count(auth_client, user, change):
    _, task = TaskFactory.create_batch(2, user=user)  # the newest: the one on the page
    etag = auth_client.get("/api/tasks?limit=1")["ETag"]
    change(task, user)

    response = auth_client.get("/api/tasks?limit=1", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_list_etag_changes_with_the_parameters(auth_client, user):
    TaskFactory(user=user)
    etag = auth_client.get("/api/tasks")["ETag"]

    response = auth_client.get("/api/tasks?unknown=1", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_list_etag_costs_no_statement(auth_client, user, django_assert_num_queries):
    TaskFactory.create_batch(3, user=user)
    etag = auth_client.get("/api/tasks")["ETag"]

    user_cache.clear()  # a process that has not seen the user lately: it reads the user too
    with django_assert_num_queries(2):  # the user, the page (with its count): as without it
        response = auth_client.get("/api/tasks", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
