"""Task services: one statement per write, scoped to the owner, only the named columns written."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.services import task_create, task_delete, task_set_completed, task_update

from .helpers import numbered_write

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def old_task(user):
    old_task = TaskFactory(user=user, title="Original", description="Kept", completed=False)
    Task.objects.filter(pk=old_task.pk).update(created_at=OLD, updated_at=OLD)
    old_task.refresh_from_db()
    return old_task


def _row(task) -> tuple:
    task.refresh_from_db()
    return (task.user_id, task.title, task.description, task.completed, task.updated_at)


# --- task_create --------------------------------------------------------------------------------


def test_task_create_saves_the_task_for_the_user(user):
    task = task_create(user=user, title="New", description="Body", completed=True)

    stored = Task.objects.get()
    assert stored == task
    assert (stored.user, stored.title, stored.description, stored.completed) == (
        user,
        "New",
        "Body",
        True,
    )
    assert stored.created_at is not None and stored.updated_at is not None


def test_task_create_defaults(user):
    task = task_create(user=user, title="New")

    assert (task.description, task.completed) == (None, False)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "a" * 201}, "title"),
        ({"title": "t", "description": "d" * 1001}, "description"),
    ],
)
def test_task_create_validates_before_writing(user, fields, field):
    with pytest.raises(ValidationError) as raised:
        task_create(user=user, **fields)

    assert field in raised.value.message_dict
    assert not Task.objects.exists()


# --- task_update --------------------------------------------------------------------------------


def test_task_update_returns_the_row_as_it_now_is(user, old_task):
    updated = task_update(user=user, task_id=old_task.pk, title="Renamed", completed=True)

    assert isinstance(updated, Task)
    assert (updated.pk, updated.user_id, updated.title, updated.completed) == (
        old_task.pk,
        user.pk,
        "Renamed",
        True,
    )
    assert updated.description == "Kept"
    assert updated.created_at == OLD
    assert updated.updated_at > OLD
    assert _row(old_task) == (user.pk, "Renamed", "Kept", True, updated.updated_at)


def test_task_update_is_one_update_returning_statement(user, old_task):
    with CaptureQueriesContext(connection) as queries:
        task_update(user=user, task_id=old_task.pk, title="Renamed")

    assert len(queries) == numbered_write()
    sql = queries[-1]["sql"].upper() if len(queries) == 1 else queries[-2]["sql"].upper()
    assert "UPDATE" in sql and "RETURNING" in sql


def test_task_update_writes_only_the_named_columns(user, old_task):
    # Someone else changes the description and completion after `old_task` was read.
    Task.objects.filter(pk=old_task.pk).update(
        description="Concurrent", completed=True, completed_at=OLD
    )

    task_update(user=user, task_id=old_task.pk, title="Renamed")

    old_task.refresh_from_db()
    assert (old_task.title, old_task.description, old_task.completed) == (
        "Renamed",
        "Concurrent",
        True,
    )


def test_task_update_with_no_fields_only_moves_updated_at(user, old_task):
    updated = task_update(user=user, task_id=old_task.pk)

    assert (updated.title, updated.description, updated.completed) == ("Original", "Kept", False)
    assert updated.updated_at > OLD


def test_task_update_ignores_fields_that_are_not_editable(user, other_user, old_task):
    updated = task_update(
        user=user, task_id=old_task.pk, title="Mine", user_id=other_user.pk, id=999, created_at=OLD
    )

    assert (updated.pk, updated.user_id) == (old_task.pk, user.pk)
    assert _row(old_task)[:2] == (user.pk, "Mine")
    assert not other_user.tasks.exists()


def test_task_update_of_another_users_task_is_none_and_writes_nothing(other_user, old_task):
    before = _row(old_task)

    assert task_update(user=other_user, task_id=old_task.pk, title="Hijacked") is None
    assert _row(old_task) == before


def test_task_update_of_a_missing_task_is_none(user):
    assert task_update(user=user, task_id=123456, title="Nothing") is None


@pytest.mark.parametrize(
    "changes", [{"title": ""}, {"title": "a" * 201}, {"description": "d" * 1001}]
)
def test_task_update_validates_before_writing(user, old_task, changes):
    before = _row(old_task)

    with pytest.raises(ValidationError):
        task_update(user=user, task_id=old_task.pk, **changes)

    assert _row(old_task) == before


def test_task_update_can_set_description_to_null(user, old_task):
    updated = task_update(user=user, task_id=old_task.pk, description=None)

    assert updated.description is None
    assert _row(old_task)[2] is None


# --- task_set_completed -------------------------------------------------------------------------


def test_task_set_completed_without_a_value_toggles(user, old_task):
    assert task_set_completed(user=user, task_id=old_task.pk).completed is True
    assert task_set_completed(user=user, task_id=old_task.pk).completed is False
    assert _row(old_task)[3] is False


@pytest.mark.parametrize("value", [True, False])
def test_task_set_completed_with_a_value_sets_it(user, old_task, value):
    updated = task_set_completed(user=user, task_id=old_task.pk, completed=value)

    assert updated.completed is value
    assert updated.updated_at > OLD
    assert _row(old_task)[1:4] == ("Original", "Kept", value)


def test_task_set_completed_toggle_is_one_statement_that_flips_in_the_database(user, old_task):
    # A stale in-memory copy cannot undo a concurrent change: the flip happens in SQL.
    Task.objects.filter(pk=old_task.pk).update(completed=True, completed_at=OLD)

    with CaptureQueriesContext(connection) as queries:
        updated = task_set_completed(user=user, task_id=old_task.pk)

    assert len(queries) == numbered_write()
    assert updated.completed is False


def test_task_set_completed_on_another_users_task_is_none(other_user, old_task):
    before = _row(old_task)

    assert task_set_completed(user=other_user, task_id=old_task.pk) is None
    assert task_set_completed(user=other_user, task_id=old_task.pk, completed=True) is None
    assert _row(old_task) == before


# --- task_delete --------------------------------------------------------------------------------


def test_task_delete_moves_the_task_to_the_trash(user, old_task):
    assert task_delete(user=user, task_id=old_task.pk) is True

    old_task.refresh_from_db()
    assert old_task.deleted_at is not None
    assert old_task.version == 2
    assert old_task.updated_at == old_task.deleted_at


def test_task_delete_of_a_task_in_the_trash_is_false(user, old_task):
    task_delete(user=user, task_id=old_task.pk)

    assert task_delete(user=user, task_id=old_task.pk) is False
    old_task.refresh_from_db()
    assert old_task.version == 2


def test_task_delete_of_another_users_task_is_false_and_keeps_it(other_user, old_task):
    before = _row(old_task)

    assert task_delete(user=other_user, task_id=old_task.pk) is False
    assert _row(old_task) == before


def test_task_delete_of_a_missing_task_is_false(user):
    assert task_delete(user=user, task_id=123456) is False


def test_deleting_a_user_deletes_their_tasks(user, other_user, old_task):
    keep = TaskFactory(user=other_user)

    user.delete()

    assert list(Task.objects.all()) == [keep]


# --- planning fields ------------------------------------------------------------------------------


def test_task_create_refuses_tags_that_are_not_a_list(user):
    with pytest.raises(ValidationError) as caught:
        task_create(user=user, title="t", tags="work")

    assert caught.value.messages == ["Tags must be a list of strings."]
    assert not Task.objects.exists()


def test_task_create_normalizes_tags_and_derives_the_search_columns(user):
    task = task_create(user=user, title="ÉCOLE", description="Straße", tags=[" Work ", "WORK"])

    task.refresh_from_db()
    assert (task.tags, task.tag_keys) == (["Work"], ",work,")
    assert (task.title_folded, task.description_folded) == ("école", "strasse")


def test_task_update_keeps_the_derived_columns_in_step(user, old_task):
    task_update(user=user, task_id=old_task.pk, title="NEW Title", tags=["Home"])

    old_task.refresh_from_db()
    assert (old_task.title_folded, old_task.description_folded) == ("new title", "kept")
    assert old_task.tag_keys == ",home,"
