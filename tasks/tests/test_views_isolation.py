"""Isolation between users, path parameter checks and read-only fields, on both mounts."""

import uuid

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task

from .helpers import error, task_json, url

pytestmark = pytest.mark.django_db

NOT_FOUND = error("RESOURCE_NOT_FOUND", "Task not found.")
FORBIDDEN = error("FORBIDDEN", "You can only access your own tasks.")

# (method, path suffix under the task, body) for every operation on one task.
TASK_OPERATIONS = {
    "retrieve": ("get", "", None),
    "put": ("put", "", {"title": "Hijacked", "description": "x", "completed": True}),
    "patch": ("patch", "", {"title": "Hijacked", "completed": True}),
    "complete-toggle": ("patch", "/complete", None),
    "complete-set": ("patch", "/complete", {"completed": True}),
    "delete": ("delete", "", None),
}
# Every operation under a mount, with a task id where it needs one.
ALL_OPERATIONS = {
    "list": ("get", None, None),
    "create": ("post", None, {"title": "Sneaky"}),
    **{name: (method, suffix, body) for name, (method, suffix, body) in TASK_OPERATIONS.items()},
}


def _call(client, method, path, body):
    return getattr(client, method)(path, body, format="json")


def _path(base: str, task_id, suffix: str | None, slash: str = "") -> str:
    """The list path (suffix None) or a task's path plus its suffix, then the slash."""
    return base + slash if suffix is None else f"{base}/{task_id}{suffix}{slash}"


@pytest.fixture
def others_task(other_user):
    return TaskFactory(user=other_user, title="Private", description="secret", completed=False)


# --- another user's task ------------------------------------------------------------------------


@pytest.mark.parametrize("operation", list(TASK_OPERATIONS))
def test_another_users_task_is_404_and_unchanged(auth_client, others_task, mount, slash, operation):
    method, suffix, body = TASK_OPERATIONS[operation]
    before = task_json(others_task)

    response = _call(auth_client, method, _path(mount, others_task.pk, suffix, slash), body)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert task_json(others_task) == before  # still there, not a byte changed


@pytest.mark.parametrize("operation", list(TASK_OPERATIONS))
def test_another_users_task_looks_exactly_like_a_missing_one(auth_client, others_task, operation):
    method, suffix, body = TASK_OPERATIONS[operation]
    missing = others_task.pk + 1000

    theirs = _call(auth_client, method, f"/api/tasks/{others_task.pk}{suffix}", body)
    nobodys = _call(auth_client, method, f"/api/tasks/{missing}{suffix}", body)

    assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json())


def test_another_users_tasks_are_absent_from_the_list(auth_client, user, others_task, mount):
    mine = TaskFactory(user=user)

    response = auth_client.get(mount)

    assert [item["id"] for item in response.json()["data"]] == [mine.pk]
    assert response.json()["meta"]["count"] == 1


def test_each_user_sees_only_their_own_tasks(client_for, user, other_user):
    mine = TaskFactory(user=user)
    theirs = TaskFactory(user=other_user)

    assert [t["id"] for t in client_for(user).get("/api/tasks").json()["data"]] == [mine.pk]
    assert [t["id"] for t in client_for(other_user).get("/api/tasks").json()["data"]] == [theirs.pk]


# --- another user's id in the path --------------------------------------------------------------


@pytest.fixture(params=["existing", "existing-upper", "nonexistent"])
def foreign_mount(request, other_user) -> str:
    """The task list path of someone else: a real user (any case) or an id nobody has."""
    user_id = {
        "existing": str(other_user.pk),
        "existing-upper": str(other_user.pk).upper(),
        "nonexistent": str(uuid.uuid4()),
    }[request.param]
    return f"/api/{user_id}/tasks"


@pytest.mark.parametrize("operation", list(ALL_OPERATIONS))
def test_another_users_id_in_the_path_is_403(auth_client, others_task, foreign_mount, operation):
    method, suffix, body = ALL_OPERATIONS[operation]
    path = _path(foreign_mount, others_task.pk, suffix)
    before = task_json(others_task)

    response = _call(auth_client, method, path, body)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert task_json(others_task) == before
    assert Task.objects.count() == 1  # nothing created either


def test_own_task_under_another_users_id_is_403(auth_client, user, other_user):
    task = TaskFactory(user=user)

    response = auth_client.get(f"/api/{other_user.pk}/tasks/{task.pk}")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


# --- malformed path parameters ------------------------------------------------------------------


# Over 255 characters, or with a control character (C0, DEL, C1): a user id never has them.
MALFORMED_USER_IDS = ["x" * 256, f"{uuid.UUID(int=1)}%00", "%1F", "a%0Ab", "%7F", "%C2%85"]
INVALID_USER_ID = "Must be 1 to 255 characters without control characters (the user's id)."


@pytest.mark.parametrize(
    ("operation", "user_id"),
    [*((op, "x" * 256) for op in ALL_OPERATIONS), *(("create", u) for u in MALFORMED_USER_IDS)],
)
def test_malformed_user_id_is_422(auth_client, user, operation, user_id):
    method, suffix, body = ALL_OPERATIONS[operation]
    task = TaskFactory(user=user)
    path = _path(f"/api/{user_id}/tasks", task.pk, suffix)

    response = _call(auth_client, method, path, body)

    assert response.status_code == 422
    assert response.json() == error(
        "VALIDATION_ERROR", INVALID_USER_ID, {"user_id": [INVALID_USER_ID]}
    )
    assert Task.objects.count() == 1


MALFORMED_TASK_IDS = ["abc", "0", "-1", "1.5", "1e3", str(2**63), "9" * 20, "%20"]


@pytest.mark.parametrize("task_id", MALFORMED_TASK_IDS)
@pytest.mark.parametrize("operation", list(TASK_OPERATIONS))
def test_malformed_task_id_is_422(auth_client, operation, task_id):
    _assert_malformed_task_id(auth_client, "/api/tasks", operation, task_id)


@pytest.mark.parametrize("operation", list(TASK_OPERATIONS))
def test_malformed_task_id_is_422_on_every_mount(auth_client, mount, slash, operation):
    _assert_malformed_task_id(auth_client, mount, operation, "abc", slash)


def _assert_malformed_task_id(client, mount: str, operation: str, task_id: str, slash=""):
    method, suffix, body = TASK_OPERATIONS[operation]

    response = _call(client, method, _path(mount, task_id, suffix, slash), body)

    assert response.status_code == 422
    assert response.json() == error(
        "VALIDATION_ERROR",
        "Must be a positive integer.",
        {"task_id": ["Must be a positive integer."]},
    )


def test_largest_task_id_is_well_formed_but_missing(auth_client):
    response = auth_client.get(f"/api/tasks/{2**63 - 1}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- read-only fields ---------------------------------------------------------------------------


def _read_only(other_user) -> dict:
    return {
        "id": 424242,
        "user_id": str(other_user.pk),
        "user": str(other_user.pk),
        "created_at": "2001-01-01T00:00:00Z",
        "updated_at": "2001-01-01T00:00:00Z",
    }


def test_create_ignores_read_only_fields(auth_client, user, other_user, mount):
    body = {"title": "Mine", **_read_only(other_user)}

    response = auth_client.post(mount, body, format="json")

    assert response.status_code == 201
    task = Task.objects.get()
    assert task.user_id == user.pk
    assert task.pk != 424242
    assert task.created_at.year != 2001 and task.updated_at.year != 2001
    assert response.json()["data"] == task_json(task)
    assert not other_user.tasks.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_cannot_move_a_task_or_rewrite_read_only_fields(
    auth_client, user, other_user, mount, method
):
    task = TaskFactory(user=user)
    created_at = task.created_at

    response = getattr(auth_client, method)(
        url(mount, task.pk), {"title": "Still mine", **_read_only(other_user)}, format="json"
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.user_id, task.title, task.created_at) == (user.pk, "Still mine", created_at)
    assert task.updated_at.year != 2001
    assert not Task.objects.filter(pk=424242).exists()
    assert not other_user.tasks.exists()


# --- unauthenticated ----------------------------------------------------------------------------


@pytest.mark.parametrize("operation", list(ALL_OPERATIONS))
def test_every_operation_needs_a_token_on_both_mounts(api_client, user, mount, operation):
    method, suffix, body = ALL_OPERATIONS[operation]
    task = TaskFactory(user=user)
    path = _path(mount, task.pk, suffix)
    before = task_json(task)

    response = _call(api_client, method, path, body)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "AUTH_REQUIRED"
    assert task_json(task) == before
    assert Task.objects.count() == 1
