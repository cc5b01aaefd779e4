"""The planning fields through the API: priority, tags, due and reminder times, recurrence,
completed_at, on both mounts; what each accepts, how it is stored and rendered."""

from datetime import UTC, datetime

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.recurrence import Messages as RuleMessages
from tasks.rules import Messages, Priority
from testing.snapshot import stored

from .helpers import error, task_json, url

pytestmark = pytest.mark.django_db

WEEKLY = {
    "title": "Weekly review",
    "priority": "high",
    "tags": ["work", "planning"],
    "due_at": "2030-12-06T16:00:00Z",
    "remind_at": "2030-12-06T15:30:00Z",
    "recurrence": "FREQ=WEEKLY;BYDAY=FR",
}


def _create(client, mount, body):
    return client.post(mount, body, format="json")


def test_create_with_every_planning_field(auth_client, mount, user):
    response = _create(auth_client, mount, WEEKLY)

    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["data"]["id"])
    assert response.json()["data"] == task_json(task)
    assert (task.priority, task.tags, task.recurrence) == (
        Priority.HIGH,
        ["work", "planning"],
        "FREQ=WEEKLY;BYDAY=FR",
    )
    assert task.due_at == datetime(2030, 12, 6, 16, tzinfo=UTC)
    assert response.json()["data"]["due_at"] == "2030-12-06T16:00:00Z"
    assert response.json()["data"]["completed_at"] is None
    assert response.json()["data"]["next_occurrence_id"] is None


def test_defaults(auth_client, mount):
    data = _create(auth_client, mount, {"title": "Plain"}).json()["data"]

    assert {k: data[k] for k in ("priority", "tags", "due_at", "remind_at", "recurrence")} == {
        "priority": "medium",
        "tags": [],
        "due_at": None,
        "remind_at": None,
        "recurrence": None,
    }


def test_times_with_an_offset_are_stored_and_returned_in_utc(auth_client, mount):
    body = {
        "title": "Call",
        "due_at": "2030-06-01T09:00:00+02:00",
        "remind_at": "2030-06-01T08:30:00.5-04:30",
    }

    data = _create(auth_client, mount, body).json()["data"]

    assert data["due_at"] == "2030-06-01T07:00:00Z"
    assert data["remind_at"] == "2030-06-01T13:00:00.500000Z"


@pytest.mark.parametrize(
    "value",
    ["2030-06-01T09:00:00", "2030-06-01", "tomorrow", "", "2030-13-01T00:00:00Z", 1735689600,
     True, ["2030-06-01T09:00:00Z"], "9999-12-31T23:00:00-01:00", "2030-06-01T09:00:00Z\x00"],
)  # fmt: skip
@pytest.mark.parametrize("field", ["due_at", "remind_at"])
def test_a_time_without_an_offset_or_not_a_time_is_422(auth_client, stored_before, field, value):
    response = auth_client.post("/api/tasks", {"title": "x", field: value}, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {
        field: ["Must be an ISO 8601 date-time with a UTC offset or Z."]
    }
    assert stored() == stored_before


def test_tags_are_trimmed_and_case_duplicates_collapse_into_the_first_spelling(auth_client):
    body = {"title": "t", "tags": [" Work ", "home", "WORK", "Straße", "STRASSE", "école", "ÉCOLE"]}

    data = _create(auth_client, "/api/tasks", body).json()["data"]

    assert data["tags"] == ["Work", "home", "Straße", "école"]


def test_a_write_that_sends_tags_replaces_the_list(auth_client, user):
    task = TaskFactory(user=user, tags=["a", "b"])

    patched = auth_client.patch(f"/api/tasks/{task.pk}", {"tags": ["c"]}, format="json")
    untouched = auth_client.patch(f"/api/tasks/{task.pk}", {"title": "New"}, format="json")
    cleared = auth_client.put(f"/api/tasks/{task.pk}", {"title": "x", "tags": []}, format="json")

    assert patched.json()["data"]["tags"] == ["c"]
    assert untouched.json()["data"]["tags"] == ["c"]
    assert cleared.json()["data"]["tags"] == []
    task.refresh_from_db()
    assert (task.tags, task.tag_keys) == ([], "")


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("work", Messages.TAGS_TYPE),
        ({"work": 1}, Messages.TAGS_TYPE),
        ([1], Messages.TAGS_TYPE),
        ([None], Messages.TAGS_TYPE),
        ([["work"]], Messages.TAGS_TYPE),
        (["ok", ""], Messages.TAG_LENGTH.format(n=2)),
        (["   "], Messages.TAG_LENGTH.format(n=1)),
        (["x" * 51], Messages.TAG_LENGTH.format(n=1)),
        (["a,b"], Messages.TAG_CHARACTERS.format(n=1)),
        (["a\x00b"], Messages.TAG_CHARACTERS.format(n=1)),
        (["a\nb"], Messages.TAG_CHARACTERS.format(n=1)),
        (["a\x85b"], Messages.TAG_CHARACTERS.format(n=1)),
        ([f"t{n}" for n in range(21)], Messages.TOO_MANY_TAGS),
        (None, Messages.TAGS_TYPE),
    ],
)
def test_invalid_tags_are_422_and_change_nothing(
    auth_client, stored_before, target_task, tags, message
):
    response = auth_client.patch(f"/api/tasks/{target_task.pk}", {"tags": tags}, format="json")

    assert response.status_code == 422
    assert response.json() == error("VALIDATION_ERROR", message, {"tags": [message]})
    assert stored() == stored_before


def test_fifty_characters_and_twenty_tags_are_fine(auth_client):
    tags = ["é" * 50] + [f"tag {n}" for n in range(19)]

    data = _create(auth_client, "/api/tasks", {"title": "t", "tags": tags}).json()["data"]

    assert data["tags"] == tags


@pytest.mark.parametrize("priority", ["urgent", "HIGH", "", 3, None, ["high"], "high\x00"])
def test_an_unknown_priority_is_422(auth_client, stored_before, target_task, priority):
    response = auth_client.patch(
        f"/api/tasks/{target_task.pk}", {"priority": priority}, format="json"
    )

    assert response.json() == error(
        "VALIDATION_ERROR", Messages.PRIORITY, {"priority": [Messages.PRIORITY]}
    )
    assert stored() == stored_before


@pytest.mark.parametrize("priority", ["low", "medium", "high"])
def test_priority_is_stored_as_its_rank(auth_client, user, priority):
    task = TaskFactory(user=user)

    auth_client.patch(f"/api/tasks/{task.pk}", {"priority": priority}, format="json")

    task.refresh_from_db()
    assert task.priority == {"low": 1, "medium": 2, "high": 3}[priority]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", RuleMessages.FREQ),
        ("RRULE:FREQ=DAILY", RuleMessages.PREFIX),
        ("FREQ=DAILY;COUNT=5000000", RuleMessages.COUNT),
        ("FREQ=DAILY;INTERVAL=0", RuleMessages.INTERVAL),
        ("", "Recurrence must be a rule or null."),
        ("F" * 501, RuleMessages.TOO_LONG),
        ("FREQ=DAILY\x00", "Null characters are not allowed."),
        (7, "Must be a string."),
    ],
)
def test_an_invalid_rule_is_422_on_recurrence(auth_client, stored_before, rule, message):
    body = {"title": "x", "due_at": "2030-01-01T09:00:00Z", "recurrence": rule}

    response = auth_client.post("/api/tasks", body, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"recurrence": [message]}
    assert stored() == stored_before


def test_a_rule_needs_a_due_date_on_create(auth_client, stored_before):
    response = auth_client.post(
        "/api/tasks", {"title": "x", "recurrence": "FREQ=DAILY"}, format="json"
    )

    assert response.json() == error(
        "VALIDATION_ERROR", RuleMessages.NEEDS_DUE, {"recurrence": [RuleMessages.NEEDS_DUE]}
    )
    assert stored() == stored_before


def test_a_rule_sent_with_a_null_due_date_is_422(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"recurrence": "FREQ=DAILY", "due_at": None}, format="json"
    )

    assert response.json()["error"]["details"] == {"recurrence": [RuleMessages.NEEDS_DUE]}


def test_setting_a_rule_on_a_task_without_due_date_is_422(auth_client, user):
    task = TaskFactory(user=user)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"recurrence": "FREQ=DAILY"}, format="json"
    )

    assert response.json()["error"]["details"] == {"recurrence": [RuleMessages.NEEDS_DUE]}
    task.refresh_from_db()
    assert task.recurrence is None


def test_clearing_the_due_date_of_a_recurring_task_is_422_and_changes_nothing(auth_client, user):
    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")
    before = stored()

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"due_at": None, "title": "Changed"}, format="json"
    )

    assert response.json() == error(
        "VALIDATION_ERROR", RuleMessages.NEEDS_DUE, {"due_at": [RuleMessages.NEEDS_DUE]}
    )
    assert stored() == before


def test_clearing_rule_and_due_date_together_is_fine(auth_client, user):
    task = TaskFactory(user=user, due_at=datetime(2030, 1, 1, tzinfo=UTC), recurrence="FREQ=DAILY")

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", {"due_at": None, "recurrence": None}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["data"]["due_at"], response.json()["data"]["recurrence"]) == (
        None,
        None,
    )


def test_completed_at_is_when_it_last_became_true(auth_client, user):
    task = TaskFactory(user=user)

    first = auth_client.patch(f"/api/tasks/{task.pk}", {"completed": True}, format="json")
    again = auth_client.patch(f"/api/tasks/{task.pk}", {"completed": True}, format="json")
    reopened = auth_client.patch(f"/api/tasks/{task.pk}/complete")
    redone = auth_client.patch(f"/api/tasks/{task.pk}/complete")

    done_at = first.json()["data"]["completed_at"]
    assert done_at is not None
    assert again.json()["data"]["completed_at"] == done_at  # already true: unchanged
    assert reopened.json()["data"]["completed_at"] is None
    assert redone.json()["data"]["completed_at"] > done_at


def test_created_completed_a_task_has_its_completed_at(auth_client):
    data = _create(auth_client, "/api/tasks", {"title": "Done", "completed": True}).json()["data"]

    assert data["completed_at"] == data["created_at"] or data["completed_at"] is not None


@pytest.mark.parametrize("field", ["completed_at", "next_occurrence_id"])
def test_read_only_planning_fields_are_ignored(auth_client, user, field):
    task = TaskFactory(user=user)
    value = 5 if field == "next_occurrence_id" else "2030-01-01T00:00:00Z"

    response = auth_client.patch(f"/api/tasks/{task.pk}", {field: value}, format="json")

    assert response.json()["data"][field] is None


def test_the_user_mount_takes_the_same_fields(auth_client, user, slash):
    response = auth_client.post(url(f"/api/{user.pk}/tasks", slash=slash), WEEKLY, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["tags"] == ["work", "planning"]
