"""The migration to text user ids keeps every user, task, refresh-token record and log entry.

Each test takes the database back to UUID ids with the migration executor, stores data the
way the old schema did, migrates forward and checks the result, on SQLite (which stored UUIDs
as 32 hex digits) and on PostgreSQL (a native uuid column) alike.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import User
from testing.auth import access_claims, bearer, sign

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("accounts", "0001_initial")


def _migrate(*, back: bool):
    """Migrate accounts to BEFORE (tasks to its first migration, chat to none, every other app
    stays at its latest) or everything forward; returns the historical apps of the state reached."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    # tasks' migrations after its first build on text user ids: they go back too; chat was born
    # after the user-id migration: it goes back entirely.
    earlier = {"accounts": BEFORE, "tasks": ("tasks", "0001_initial"), "chat": ("chat", None)}
    targets = [earlier.get(app, (app, name)) for app, name in leaves] if back else leaves
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.fixture
def old_schema():
    """The historical apps with UUID user ids; the database is migrated forward again after."""
    apps = _migrate(back=True)
    try:
        yield apps
    finally:
        _migrate(back=False)


def _old_user(apps, **fields):
    return apps.get_model("accounts", "User").objects.create(
        id=uuid.uuid4(), password="!", **fields
    )


def test_users_keep_their_ids_tasks_tokens_groups_and_log_entries(old_schema):
    apps = old_schema
    alice, bob = _old_user(apps, email="alice@example.com"), _old_user(apps, email=None)
    task_model = apps.get_model("tasks", "Task")
    task_model.objects.create(user=alice, title="Alice's")
    task_model.objects.create(user=bob, title="Bob's")
    outstanding = apps.get_model("token_blacklist", "OutstandingToken").objects.create(
        user=alice, jti="jti-1", token="x", expires_at=timezone.now() + timedelta(days=1)
    )
    apps.get_model("token_blacklist", "BlacklistedToken").objects.create(token=outstanding)
    group = apps.get_model("auth", "Group").objects.create(name="editors")
    alice.groups.add(group)
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_for_model(
        apps.get_model("accounts", "User")
    )
    apps.get_model("admin", "LogEntry").objects.create(
        user=alice,
        content_type_id=content_type.pk,
        object_id=str(bob.pk),
        object_repr="bob",
        action_flag=2,
        action_time=timezone.now(),
    )

    _migrate(back=False)

    assert sorted(User.objects.values_list("pk", flat=True)) == sorted([str(alice.pk), str(bob.pk)])
    migrated = User.objects.get(pk=str(alice.pk))
    assert migrated.email == "alice@example.com"
    assert [t.title for t in migrated.tasks.all()] == ["Alice's"]
    assert [t.title for t in User.objects.get(pk=str(bob.pk)).tasks.all()] == ["Bob's"]
    [token] = migrated.outstandingtoken_set.all()
    assert token.jti == "jti-1" and token.blacklistedtoken.pk
    assert [g.name for g in migrated.groups.all()] == ["editors"]
    [entry] = migrated.logentry_set.all()
    assert entry.object_id == str(bob.pk)
    # Every column that refers to a user holds the canonical text, so joins still match.
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT user_id FROM tasks_task ORDER BY user_id")
        assert [row[0] for row in cursor.fetchall()] == sorted([str(alice.pk), str(bob.pk)])


def test_a_token_with_the_old_sub_still_reaches_the_same_users_tasks(old_schema):
    apps = old_schema
    old = _old_user(apps, email="old@example.com")
    apps.get_model("tasks", "Task").objects.create(user=old, title="Kept")

    _migrate(back=False)

    for sub in (str(old.pk), str(old.pk).upper()):
        response = bearer(sign(access_claims(sub))).get("/api/tasks")
        assert response.status_code == 200
        assert [(t["title"], t["user_id"]) for t in response.json()["data"]] == [
            ("Kept", str(old.pk))
        ]
    assert User.objects.count() == 1


def test_going_back_is_refused_while_a_user_has_an_id_that_is_not_a_uuid():
    User.objects.create(id="k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", password="!")

    try:
        with pytest.raises(RuntimeError, match="Cannot go back to UUID user ids"):
            _migrate(back=True)
    finally:  # tasks' later migrations went back before the refusal: forward again
        _migrate(back=False)

    assert User.objects.get().pk == "k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG"
