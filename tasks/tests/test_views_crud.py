"""Every task operation on both mounts, with and without a trailing slash: bodies, headers, rows."""

from datetime import UTC, datetime, timedelta

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task

from .helpers import task_json, url

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def milk_task(user):
    return TaskFactory(user=user, title="Buy milk", description="2 litres", completed=False)


def _age(task, *, created_at=OLD, updated_at=OLD) -> None:
    """Backdate a task's timestamps (auto_now fields cannot be set through save())."""
    Task.objects.filter(pk=task.pk).update(created_at=created_at, updated_at=updated_at)


# --- list ---------------------------------------------------------------------------------------


def test_list_returns_the_callers_tasks_newest_first_with_meta(auth_client, user, mount, slash):
    first, second, third = TaskFactory.create_batch(3, user=user)
    _age(second, created_at=OLD + timedelta(days=2))
    _age(first, created_at=OLD + timedelta(days=1))
    _age(third, created_at=OLD)  # the highest id, but the oldest

    response = auth_client.get(url(mount, slash=slash))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": [task_json(second), task_json(first), task_json(third)],
        "message": "Tasks retrieved",
        "meta": {"count": 3, "limit": 100, "offset": 0, "next": None, "previous": None},
    }


def test_list_breaks_created_at_ties_by_id_descending(auth_client, user, mount):
    tasks = TaskFactory.create_batch(3, user=user)
    Task.objects.filter(user=user).update(created_at=OLD)

    response = auth_client.get(mount)

    assert [item["id"] for item in response.json()["data"]] == [t.pk for t in reversed(tasks)]


def test_list_of_a_user_without_tasks_is_empty(auth_client, mount, slash):
    response = auth_client.get(url(mount, slash=slash))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": [],
        "message": "Tasks retrieved",
        "meta": {"count": 0, "limit": 100, "offset": 0, "next": None, "previous": None},
    }


def test_list_pages_with_limit_and_offset_and_absolute_links(auth_client, user, mount):
    tasks = TaskFactory.create_batch(5, user=user)
    newest_first = [t.pk for t in reversed(tasks)]

    response = auth_client.get(f"{mount}?limit=2&offset=2")

    body = response.json()
    assert response.status_code == 200
    assert [item["id"] for item in body["data"]] == newest_first[2:4]
    assert body["meta"] == {
        "count": 5,
        "limit": 2,
        "offset": 2,
        "next": f"http://testserver{mount}?limit=2&offset=4",
        "previous": f"http://testserver{mount}?limit=2",
    }


def test_list_last_page_has_no_next_link(auth_client, user, mount):
    TaskFactory.create_batch(3, user=user)

    response = auth_client.get(f"{mount}?limit=2&offset=2")

    body = response.json()
    assert len(body["data"]) == 1
    assert body["meta"]["next"] is None
    assert body["meta"]["previous"] == f"http://testserver{mount}?limit=2"


def test_list_offset_past_the_end_is_an_empty_page(auth_client, user):
    TaskFactory.create_batch(2, user=user)

    response = auth_client.get("/api/tasks?offset=10")

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == []
    assert body["meta"]["count"] == 2
    assert body["meta"]["next"] is None


# --- create -------------------------------------------------------------------------------------


def test_create_returns_201_the_task_and_an_absolute_location(auth_client, user, mount, slash):
    payload = {"title": "Write tests", "description": "All of them", "completed": True}

    response = auth_client.post(url(mount, slash=slash), payload, format="json")

    assert response.status_code == 201
    task = Task.objects.get(user=user)
    assert (task.title, task.description, task.completed) == ("Write tests", "All of them", True)
    assert response.json() == {"success": True, "data": task_json(task), "message": "Task created"}
    assert response["Location"] == f"http://testserver{mount}/{task.pk}"


def test_create_location_points_at_the_new_task(auth_client, mount):
    response = auth_client.post(mount, {"title": "Follow me"}, format="json")

    followed = auth_client.get(response["Location"])

    assert followed.status_code == 200
    assert followed.json()["data"] == response.json()["data"]


def test_create_defaults_description_to_null_and_completed_to_false(auth_client, user):
    response = auth_client.post("/api/tasks", {"title": "Minimal"}, format="json")

    data = response.json()["data"]
    assert (data["description"], data["completed"]) == (None, False)
    task = Task.objects.get(pk=data["id"])
    assert (task.user_id, task.description, task.completed) == (user.pk, None, False)


def test_create_trims_the_title(auth_client):
    response = auth_client.post("/api/tasks", {"title": "  padded \n"}, format="json")

    assert response.status_code == 201
    assert Task.objects.get().title == "padded"


def test_create_timestamps_are_utc_iso_8601_with_z(auth_client):
    data = auth_client.post("/api/tasks", {"title": "When"}, format="json").json()["data"]

    for field in ("created_at", "updated_at"):
        assert data[field].endswith("Z")
        assert datetime.fromisoformat(data[field]).utcoffset() == timedelta(0)


# --- retrieve -----------------------------------------------------------------------------------


def test_retrieve_returns_the_task(auth_client, milk_task, mount, slash):
    response = auth_client.get(url(mount, milk_task.pk, slash=slash))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": task_json(milk_task),
        "message": "Task retrieved",
    }


def test_retrieve_of_a_missing_task_is_404(auth_client, mount, slash):
    response = auth_client.get(url(mount, 2**63 - 1, slash=slash))

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {"code": "RESOURCE_NOT_FOUND", "message": "Task not found."},
    }


# --- PUT ----------------------------------------------------------------------------------------


def test_put_replaces_the_given_fields(auth_client, milk_task, mount, slash):
    payload = {"title": "Buy oat milk", "description": None, "completed": True}

    response = auth_client.put(url(mount, milk_task.pk, slash=slash), payload, format="json")

    assert response.status_code == 200
    milk_task.refresh_from_db()
    assert (milk_task.title, milk_task.description, milk_task.completed) == (
        "Buy oat milk",
        None,
        True,
    )
    assert response.json() == {
        "success": True,
        "data": task_json(milk_task),
        "message": "Task updated",
    }


def test_put_leaves_absent_fields_unchanged(auth_client, milk_task, mount):
    response = auth_client.put(url(mount, milk_task.pk), {"title": "Only the title"}, format="json")

    assert response.status_code == 200
    milk_task.refresh_from_db()
    assert (milk_task.title, milk_task.description, milk_task.completed) == (
        "Only the title",
        "2 litres",
        False,
    )


def test_put_without_a_title_is_422_and_changes_nothing(auth_client, milk_task, mount):
    response = auth_client.put(url(mount, milk_task.pk), {"completed": True}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "Title is required.",
            "details": {"title": ["Title is required."]},
        },
    }
    milk_task.refresh_from_db()
    assert (milk_task.title, milk_task.completed) == ("Buy milk", False)


# --- PATCH --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"title": "Renamed"}, ("Renamed", "2 litres", False)),
        ({"description": "3 litres"}, ("Buy milk", "3 litres", False)),
        ({"description": None}, ("Buy milk", None, False)),
        ({"completed": True}, ("Buy milk", "2 litres", True)),
        ({}, ("Buy milk", "2 litres", False)),
    ],
)
def test_patch_changes_only_the_given_fields(
    auth_client, milk_task, mount, slash, payload, expected
):
    response = auth_client.patch(url(mount, milk_task.pk, slash=slash), payload, format="json")

    assert response.status_code == 200
    milk_task.refresh_from_db()
    assert (milk_task.title, milk_task.description, milk_task.completed) == expected
    assert response.json() == {
        "success": True,
        "data": task_json(milk_task),
        "message": "Task updated",
    }


# --- PATCH .../complete -------------------------------------------------------------------------


def test_complete_without_a_body_toggles(auth_client, milk_task, mount, slash):
    path = url(mount, milk_task.pk, "complete", slash=slash)

    response = auth_client.patch(path)

    assert response.status_code == 200
    milk_task.refresh_from_db()
    assert milk_task.completed is True
    assert response.json() == {
        "success": True,
        "data": task_json(milk_task),
        "message": "Task completion updated",
    }
    assert auth_client.patch(path).json()["data"]["completed"] is False


def test_complete_without_content_type_toggles(auth_client, milk_task):
    # What `fetch(url, {method: "PATCH"})` sends: no body, no Content-Type.
    response = auth_client.generic("PATCH", f"/api/tasks/{milk_task.pk}/complete")

    assert response.status_code == 200
    assert response.json()["data"]["completed"] is True


def test_complete_with_an_empty_object_toggles(auth_client, milk_task):
    response = auth_client.patch(f"/api/tasks/{milk_task.pk}/complete", {}, format="json")

    assert response.json()["data"]["completed"] is True


@pytest.mark.parametrize("initial", [True, False])
@pytest.mark.parametrize("value", [True, False])
def test_complete_with_a_value_sets_it(auth_client, user, mount, slash, initial, value):
    task = TaskFactory(user=user, completed=initial)

    response = auth_client.patch(
        url(mount, task.pk, "complete", slash=slash), {"completed": value}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["data"]["completed"] is value
    task.refresh_from_db()
    assert task.completed is value


def test_complete_does_not_touch_other_fields(auth_client, milk_task):
    auth_client.patch(f"/api/tasks/{milk_task.pk}/complete")

    milk_task.refresh_from_db()
    assert (milk_task.title, milk_task.description) == ("Buy milk", "2 litres")


# --- DELETE -------------------------------------------------------------------------------------


def test_delete_is_204_with_an_empty_body(auth_client, milk_task, mount, slash):
    response = auth_client.delete(url(mount, milk_task.pk, slash=slash))

    assert response.status_code == 204
    assert response.content == b""
    milk_task.refresh_from_db()  # in the trash, not gone
    assert milk_task.deleted_at is not None
    assert milk_task.version == 2


def test_delete_twice_is_404_the_second_time(auth_client, milk_task, mount):
    auth_client.delete(url(mount, milk_task.pk))

    response = auth_client.delete(url(mount, milk_task.pk))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_delete_leaves_the_callers_other_tasks(auth_client, user, milk_task):
    keep = TaskFactory(user=user)

    auth_client.delete(f"/api/tasks/{milk_task.pk}")

    assert list(Task.objects.filter(user=user, deleted_at__isnull=True)) == [keep]


# --- timestamps ---------------------------------------------------------------------------------

MUTATIONS = {
    "put": ("put", "", {"title": "New"}),
    "patch": ("patch", "", {"description": "x"}),
    "patch-empty": ("patch", "", {}),
    "toggle": ("patch", "/complete", None),
    "set-same-value": ("patch", "/complete", {"completed": False}),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_every_mutation_moves_updated_at_and_keeps_created_at(auth_client, milk_task, mutation):
    method, suffix, payload = MUTATIONS[mutation]
    _age(milk_task)

    response = getattr(auth_client, method)(
        f"/api/tasks/{milk_task.pk}{suffix}", payload, format="json"
    )

    assert response.status_code == 200
    milk_task.refresh_from_db()
    assert milk_task.created_at == OLD
    assert milk_task.updated_at > OLD
    assert response.json()["data"]["updated_at"] == task_json(milk_task)["updated_at"]
