"""The task admin: list, search, filters, owner autocomplete, bulk actions, constant queries;
the planning fields, saved through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.rules import Priority

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tasks/task/"
DUE = datetime(2030, 12, 6, 16, 0, tzinfo=UTC)


def titles(response) -> list[str]:
    return sorted(t.title for t in response.context["cl"].result_list)


def test_task_changelist_shows_title_owner_and_state(admin_client):
    TaskFactory(title="Buy milk", user=UserFactory(email="alice@example.com"), completed=True)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Buy milk" in html
    assert "alice@example.com" in html
    assert "column-completed" in html
    assert "column-updated_at" in html


def test_task_changelist_search_covers_title_description_and_owner_email(admin_client):
    bob = UserFactory(email="bob@example.com")
    TaskFactory(title="Buy milk", description="semi-skimmed")
    TaskFactory(title="Walk the dog", description="in the park")
    TaskFactory(title="Call mum", user=bob)

    assert titles(admin_client.get(CHANGELIST, {"q": "milk"})) == ["Buy milk"]
    assert titles(admin_client.get(CHANGELIST, {"q": "park"})) == ["Walk the dog"]
    assert titles(admin_client.get(CHANGELIST, {"q": "bob@example"})) == ["Call mum"]


def test_task_changelist_filters_on_completed(admin_client):
    TaskFactory(title="Done", completed=True)
    TaskFactory(title="Open", completed=False)

    assert titles(admin_client.get(CHANGELIST, {"completed__exact": "1"})) == ["Done"]
    assert titles(admin_client.get(CHANGELIST, {"completed__exact": "0"})) == ["Open"]


def test_task_changelist_date_hierarchy_narrows_by_creation_year(admin_client):
    old = TaskFactory(title="Old")
    Task.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=800))
    TaskFactory(title="New")
    year = timezone.now().year

    response = admin_client.get(CHANGELIST, {"created_at__year": str(year)})

    assert titles(response) == ["New"]
    assert f"created_at__year={year}" in response.content.decode()


def test_mark_completed_action_completes_tasks_and_bumps_updated_at(admin_client):
    tasks = TaskFactory.create_batch(2, completed=False)
    untouched = TaskFactory(completed=False)
    before = {t.pk: t.updated_at for t in tasks}

    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_completed", "_selected_action": [t.pk for t in tasks]},
        follow=True,
    )

    assert "2 task(s) marked as completed." in response.content.decode()
    for task in tasks:
        task.refresh_from_db()
        assert task.completed is True
        assert task.updated_at > before[task.pk]
    untouched.refresh_from_db()
    assert untouched.completed is False


def test_mark_not_completed_action_reopens_tasks(admin_client):
    done = TaskFactory(completed=True)
    already_open = TaskFactory(completed=False)
    open_since = already_open.updated_at

    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_not_completed", "_selected_action": [done.pk, already_open.pk]},
        follow=True,
    )

    assert "1 task(s) marked as not completed." in response.content.decode()
    done.refresh_from_db()
    already_open.refresh_from_db()
    assert done.completed is False
    assert already_open.updated_at == open_since  # nothing changed, nothing written


def test_task_form_picks_the_owner_by_autocomplete_not_a_dropdown(admin_client):
    UserFactory.create_batch(5)

    html = admin_client.get(f"{CHANGELIST}add/").content.decode()

    owner = html[html.index('name="user"') :]
    owner = owner[: owner.index("</select>")]
    assert "admin-autocomplete" in html
    assert owner.count("<option") <= 1  # just the empty choice, not one per user


def test_owner_autocomplete_finds_users_by_email(admin_client):
    alice = UserFactory(email="alice@example.com")
    UserFactory(email="bob@example.com")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "user", "term": "alice"},
    )

    assert response.json()["results"] == [{"id": str(alice.pk), "text": "alice@example.com"}]


def test_task_timestamps_are_read_only_in_the_admin(admin_client):
    task = TaskFactory(title="Before")
    created = task.created_at

    response = admin_client.post(
        f"{CHANGELIST}{task.pk}/change/",
        {
            "user": str(task.user_id),
            "title": "After",
            "description": "",
            "priority": "2",
            "tags": "",
            "created_at": "2000-01-01 00:00:00",
        },
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "After"
    assert task.created_at == created
    assert task.updated_at > created


def test_task_admin_rejects_an_over_long_title(admin_client):
    task = TaskFactory()

    response = admin_client.post(
        f"{CHANGELIST}{task.pk}/change/", {"user": str(task.user_id), "title": "x" * 201}
    )

    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def changelist_queries(admin_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def make_tasks(count: int, owners: int) -> None:
    users = UserFactory.create_batch(owners)
    Task.objects.bulk_create(
        TaskFactory.build(user=users[i % owners], title=f"task {i}") for i in range(count)
    )


def test_task_changelist_query_count_does_not_grow_with_rows(admin_client):
    make_tasks(5, owners=5)
    few = changelist_queries(admin_client)

    make_tasks(395, owners=40)
    many = changelist_queries(admin_client)

    assert many == few
    assert few <= 12


def test_user_changelist_query_count_does_not_grow_with_rows(admin_client):
    make_tasks(10, owners=5)
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/accounts/user/")

    make_tasks(300, owners=95)
    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/accounts/user/")

    assert len(many) == len(few)


# --- planning fields ------------------------------------------------------------------------------


def _form(task, **changes) -> dict:
    """The change form as the admin page posts it, with some fields changed."""
    data = {
        "title": task.title,
        "description": task.description or "",
        "priority": str(task.priority),
        "tags": ", ".join(task.tags),
        "due_at_0": task.due_at.strftime("%Y-%m-%d") if task.due_at else "",
        "due_at_1": task.due_at.strftime("%H:%M:%S") if task.due_at else "",
        "remind_at_0": "",
        "remind_at_1": "",
        "recurrence": task.recurrence or "",
    }
    if task.completed:
        data["completed"] = "on"
    return {**data, **changes}


def test_changelist_shows_priority_by_name_tags_and_due_date(admin_client):
    TaskFactory(title="Plan", priority=Priority.HIGH, tags=["work", "home"], due_at=DUE)

    html = admin_client.get(CHANGELIST).content.decode()

    assert ">High<" in html or ">high<" in html
    assert "work, home" in html
    assert "FREQ" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority__exact=3", {"urgent"}),
        ("due=overdue", {"late"}),
        ("due=none", {"someday", "urgent"}),
        ("recurring=yes", {"weekly"}),
        ("q=errands", {"weekly"}),
    ],
)
def test_changelist_filters_and_search_on_planning_fields(admin_client, query, expected):
    TaskFactory(title="urgent", priority=Priority.HIGH)
    TaskFactory(title="late", due_at=timezone.now() - timedelta(days=2))
    TaskFactory(title="someday", priority=Priority.LOW)
    TaskFactory(title="weekly", tags=["Errands"], due_at=DUE, recurrence="FREQ=WEEKLY")

    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert {task.title for task in response.context["cl"].result_list} == expected


def test_tags_are_edited_as_one_line_and_saved_through_the_services(admin_client):
    task = TaskFactory(tags=["old"])

    response = admin_client.post(
        f"{CHANGELIST}{task.pk}/change/", _form(task, tags=" Work, home ,WORK, ")
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.tags, task.tag_keys) == (["Work", "home"], ",work,home,")


def test_the_admin_refuses_what_the_api_refuses(admin_client):
    task = TaskFactory()

    bad_rule = admin_client.post(
        f"{CHANGELIST}{task.pk}/change/", _form(task, recurrence="FREQ=HOURLY")
    )
    no_due = admin_client.post(
        f"{CHANGELIST}{task.pk}/change/", _form(task, recurrence="FREQ=DAILY")
    )
    bad_tag = admin_client.post(f"{CHANGELIST}{task.pk}/change/", _form(task, tags="x" * 51))

    assert "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY." in bad_rule.content.decode()
    assert "A recurring task needs a due_at." in no_due.content.decode()
    assert "Tag 1 must be 1 to 50 characters once trimmed." in bad_tag.content.decode()
    task.refresh_from_db()
    assert task.recurrence is None


def test_completing_a_recurring_task_in_the_admin_creates_its_next_occurrence(admin_client):
    task = TaskFactory(due_at=DUE, recurrence="FREQ=WEEKLY")

    admin_client.post(f"{CHANGELIST}{task.pk}/change/", _form(task, completed="on"))

    task.refresh_from_db()
    assert task.completed is True
    assert Task.objects.get(pk=task.next_occurrence_id).due_at == DUE + timedelta(weeks=1)


def test_the_mark_completed_action_creates_next_occurrences(admin_client):
    weekly = TaskFactory(due_at=DUE, recurrence="FREQ=WEEKLY")
    plain = TaskFactory()

    admin_client.post(
        CHANGELIST,
        {"action": "mark_completed", "_selected_action": [weekly.pk, plain.pk]},
    )

    assert Task.objects.count() == 3
    weekly.refresh_from_db()
    assert Task.objects.get(pk=weekly.next_occurrence_id).due_at == DUE + timedelta(weeks=1)


def test_adding_a_task_in_the_admin_goes_through_the_services(admin_client):
    owner = UserFactory()

    admin_client.post(
        f"{CHANGELIST}add/",
        {**_form(TaskFactory.build(title="Added", description="", tags=["a"])), "user": owner.pk},
    )

    task = Task.objects.get(title="Added")
    assert (task.user, task.tags, task.title_folded) == (owner, ["a"], "added")


# --- the trash ----------------------------------------------------------------------------------


def _trashed(**fields) -> Task:
    task = TaskFactory(**fields)
    Task.objects.filter(pk=task.pk).update(deleted_at=timezone.now(), version=2)
    task.refresh_from_db()
    return task


def test_staff_see_the_trash_with_a_filter_and_deleted_at(admin_client):
    _trashed(title="Binned")
    TaskFactory(title="Live")

    response = admin_client.get(CHANGELIST)

    assert titles(response) == ["Binned", "Live"]
    assert "column-deleted_at" in response.content.decode()
    assert titles(admin_client.get(CHANGELIST, {"trash": "in"})) == ["Binned"]
    assert titles(admin_client.get(CHANGELIST, {"trash": "out"})) == ["Live"]


def test_the_restore_action_goes_through_the_service(admin_client):
    binned = _trashed(title="Binned")
    live = TaskFactory(title="Live")

    response = admin_client.post(
        CHANGELIST,
        {"action": "restore_from_trash", "_selected_action": [binned.pk, live.pk]},
        follow=True,
    )

    assert "1 task(s) restored." in response.content.decode()
    binned.refresh_from_db()
    live.refresh_from_db()
    assert (binned.deleted_at, binned.version) == (None, 3)
    assert live.version == 1


def test_a_trashed_task_is_read_only_in_the_admin(admin_client):
    binned = _trashed(title="Binned")

    response = admin_client.post(f"{CHANGELIST}{binned.pk}/change/", {"title": "Edited"})

    assert response.status_code == 403
    binned.refresh_from_db()
    assert binned.title == "Binned"


def test_deleting_in_the_admin_purges_with_a_tombstone(admin_client):
    from tasks.models import TaskTombstone

    live, binned = TaskFactory(title="Live"), _trashed(title="Binned")

    admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [live.pk, binned.pk], "post": "yes"},
    )

    assert not Task.objects.exists()
    assert sorted(TaskTombstone.objects.values_list("task_id", flat=True)) == [live.pk, binned.pk]
