"""`manage.py seed`: demo users and tasks, repeatable with --seed, safe to run twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import User
from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.rules import Priority, tag_keys

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """The demo data set, independent of generated ids and timestamps."""
    return [
        (u.email, u.name, sorted((t.title, t.description, t.completed) for t in u.tasks.all()))
        for u in User.objects.order_by("email").prefetch_related("tasks")
    ]


def test_seed_creates_users_with_tasks_and_a_usable_password():
    out = seed("--users", "3", "--tasks-per-user", "4", "--password", "Demo-pass-123")

    users = User.objects.order_by("email")
    assert [u.email for u in users] == [f"demo{i}@example.com" for i in (1, 2, 3)]
    assert all(u.tasks.count() == 4 for u in users)
    assert all(u.check_password("Demo-pass-123") for u in users)
    assert all(u.name for u in users)
    assert out.strip().count("\n") == 0  # one line
    assert "Seeded 3 demo users (3 new) with 4 tasks each (12 new tasks)" in out


def test_seed_is_safe_to_run_twice():
    seed("--users", "2", "--tasks-per-user", "3")
    before = snapshot()

    out = seed("--users", "2", "--tasks-per-user", "3")

    assert snapshot() == before
    assert Task.objects.count() == 6
    assert "(0 new)" in out
    assert "(0 new tasks)" in out


def test_seed_tops_users_up_to_the_requested_task_count():
    seed("--users", "2", "--tasks-per-user", "1")

    out = seed("--users", "3", "--tasks-per-user", "4")

    assert sorted(u.tasks.count() for u in User.objects.all()) == [4, 4, 4]
    assert "(1 new) with 4 tasks each (10 new tasks)" in out


def test_seed_rerun_resets_the_demo_password():
    seed("--users", "1", "--tasks-per-user", "0", "--password", "First-pass-123")

    seed("--users", "1", "--tasks-per-user", "0", "--password", "Second-pass-456")

    assert User.objects.get().check_password("Second-pass-456")


def test_seed_with_the_same_seed_builds_the_same_data():
    seed("--clear", "--seed", "7", "--users", "3", "--tasks-per-user", "5")
    first = snapshot()

    seed("--clear", "--seed", "7", "--users", "3", "--tasks-per-user", "5")

    assert snapshot() == first
    assert any(done for _, _, tasks in first for _, _, done in tasks)  # a mix of states


def test_seed_with_another_seed_builds_other_data():
    seed("--clear", "--seed", "7", "--users", "2", "--tasks-per-user", "3")
    first = snapshot()

    seed("--clear", "--seed", "8", "--users", "2", "--tasks-per-user", "3")

    assert snapshot() != first


def test_seed_clear_removes_only_demo_users_and_their_tasks():
    real = UserFactory(email="real@example.com")
    TaskFactory(user=real, title="Real work")
    seed("--users", "3", "--tasks-per-user", "2")

    out = seed("--clear", "--users", "1", "--tasks-per-user", "1")

    assert sorted(User.objects.values_list("email", flat=True)) == [
        "demo1@example.com",
        "real@example.com",
    ]
    assert Task.objects.filter(user=real).get().title == "Real work"
    assert Task.objects.count() == 2
    assert "after clearing 3 demo users" in out


def test_seed_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too weak"):
        seed("--password", "123")

    assert User.objects.count() == 0


def test_seed_refuses_a_negative_count():
    with pytest.raises(CommandError):
        seed("--users", "-1")


def test_seed_reports_each_batch_of_a_large_run():
    out = seed("--users", "2", "--tasks-per-user", "600")

    *batches, summary = out.strip().splitlines()
    assert Task.objects.count() == 1200
    assert batches == [
        "Inserted 500 of 1200 tasks",
        "Inserted 1000 of 1200 tasks",
        "Inserted 1200 of 1200 tasks",
    ]
    assert summary.startswith("Seeded 2 demo users")


def test_seed_reports_no_batches_for_small_runs_or_verbosity_0():
    small = seed("--users", "1", "--tasks-per-user", "1")
    quiet = StringIO()
    call_command("seed", "--users", "2", "--tasks-per-user", "600", verbosity=0, stdout=quiet)

    assert small.strip().count("\n") == 0
    assert "Inserted" not in quiet.getvalue()
    assert quiet.getvalue().strip().startswith("Seeded 2 demo users")


def test_seed_fills_the_planning_fields_realistically():
    seed("--users", "2", "--tasks-per-user", "150", "--seed", "7")

    tasks = list(Task.objects.all())
    now = timezone.now()
    assert {t.priority for t in tasks} == {Priority.LOW, Priority.MEDIUM, Priority.HIGH}
    assert {tag for t in tasks for tag in t.tags} <= {
        "work", "home", "errands", "health", "finance", "family"
    }  # fmt: skip
    assert any(t.tags for t in tasks) and any(not t.tags for t in tasks)
    assert any(t.recurrence for t in tasks)
    assert all(t.due_at for t in tasks if t.recurrence)
    assert any(not t.completed and t.due_at and t.due_at < now for t in tasks)  # overdue
    assert any(t.remind_at for t in tasks)
    assert all(t.tag_keys == tag_keys(t.tags) and t.title_folded for t in tasks)
    assert all((t.completed_at is not None) == t.completed for t in tasks)


def test_seed_with_a_seed_repeats_the_planning_fields():
    def planned():
        return sorted(
            (t.title, t.priority, t.tags, t.due_at, t.remind_at, t.recurrence)
            for t in Task.objects.all()
        )

    seed("--clear", "--users", "2", "--tasks-per-user", "20", "--seed", "3")
    first = planned()
    seed("--clear", "--users", "2", "--tasks-per-user", "20", "--seed", "3")

    assert planned() == first
