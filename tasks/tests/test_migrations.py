"""The planning migration keeps every existing task and fills in what is new."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tasks", "0001_initial"), ("accounts", "0001_initial")]
AFTER = [("tasks", "0004_planning_constraints")]


@pytest.fixture
def executor():
    """A migration executor; every app is migrated back to its latest state afterwards."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_tasks_are_kept_and_completed_ones_get_their_completed_at(executor):
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="old@example.com")
    Task = old.get_model("tasks", "Task")
    done = Task.objects.create(user=user, title="ÉCOLE Straße", description=None, completed=True)
    open_ = Task.objects.create(user=user, title="Open", description="Ünïcode", completed=False)
    stamp = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    Task.objects.filter(pk=done.pk).update(updated_at=stamp)

    forward = MigrationExecutor(connection)  # a fresh graph state after migrating back
    forward.migrate(AFTER)
    Task = forward.loader.project_state(AFTER).apps.get_model("tasks", "Task")
    rows = {t.pk: t for t in Task.objects.all()}

    assert set(rows) == {done.pk, open_.pk}
    assert (rows[done.pk].completed_at, rows[done.pk].updated_at) == (stamp, stamp)
    assert rows[open_.pk].completed_at is None
    assert rows[done.pk].title_folded == "école strasse"
    assert (rows[open_.pk].description_folded, rows[done.pk].description_folded) == ("ünïcode", "")
    assert [(t.priority, t.tags, t.due_at, t.recurrence) for t in rows.values()] == [
        (2, [], None, None)
    ] * 2


@pytest.mark.django_db(transaction=True)
def test_the_sync_migration_numbers_existing_tasks_per_user_oldest_first(executor):
    before = [("tasks", "0004_planning_constraints")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    User = old.get_model("accounts", "User")
    alice, bob = (
        User.objects.create(email="a@example.com"),
        User.objects.create(email="b@example.com"),
    )
    Task = old.get_model("tasks", "Task")
    a1, b1, a2 = (Task.objects.create(user=u, title="t") for u in (alice, bob, alice))

    after = [("tasks", "0006_sync_backfill")]
    forward = MigrationExecutor(connection)
    forward.migrate(after)
    apps = forward.loader.project_state(after).apps
    rows = {
        t.pk: (t.change_seq, t.version, t.deleted_at)
        for t in apps.get_model("tasks", "Task").objects.all()
    }
    counters = dict(apps.get_model("tasks", "ChangeCounter").objects.values_list("user_id", "last"))

    assert rows == {a1.pk: (1, 1, None), a2.pk: (2, 1, None), b1.pk: (1, 1, None)}
    assert counters == {alice.pk: 2, bob.pk: 1}


def _index_columns() -> dict[str, str]:
    """tasks_task's indexes: name -> the column list as its definition gives it."""
    if connection.vendor == "postgresql":
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tasks_task'"
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks_task'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return {  # SQLite's automatic indexes (for UNIQUE) have no SQL
        name: re.sub(r'["\s]', "", definition.rsplit("(", 1)[1].rstrip(")"))
        for name, definition in rows
        if definition
    }


@pytest.mark.django_db(transaction=True)
def test_user_id_has_no_index_of_its_own_but_leads_four_others(executor):
    columns = _index_columns()

    assert "user_id" not in columns.values()
    assert {
        c.split(",")[1].removesuffix("DESC") for c in columns.values() if c.startswith("user_id,")
    } == {"created_at", "due_at", "change_seq", "deleted_at"}

    executor.migrate([("tasks", "0006_sync_backfill")])  # and back: the index returns
    assert "user_id" in _index_columns().values()
