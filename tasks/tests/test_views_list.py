"""The list: filters, search and ordering, their combinations and their 422s."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from tasks.factories import TaskFactory
from tasks.filters import (
    DATETIME,
    NO_NUL,
    ORDERING,
    PRIORITIES,
    REPEATED,
    SEARCH_LENGTH,
    TRUE_FALSE,
)
from tasks.rules import Messages, Priority
from testing.snapshot import stored

from .helpers import error

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def titles(client, query: str = "", mount: str = "/api/tasks") -> list[str]:
    response = client.get(f"{mount}?{query}")
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["data"]]


@pytest.fixture
def planned(user, other_user):
    """Tasks with every combination that the filters tell apart (and someone else's)."""
    past = timezone.now() - timedelta(days=1)
    made = [
        TaskFactory(user=user, title="a high work", priority=Priority.HIGH, tags=["Work"],
                    due_at=T0),
        TaskFactory(user=user, title="b low home", priority=Priority.LOW, tags=["home", "work"],
                    due_at=T0 + timedelta(days=1)),
        TaskFactory(user=user, title="c overdue", priority=Priority.MEDIUM, tags=["errands"],
                    due_at=past),
        TaskFactory(user=user, title="d done overdue", completed=True, due_at=past),
        TaskFactory(user=user, title="e no due", priority=Priority.HIGH, tags=["Home"]),
    ]  # fmt: skip
    TaskFactory(user=other_user, title="theirs", priority=Priority.HIGH, tags=["work"], due_at=T0)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("completed=true", ["d done overdue"]),
        ("completed=false", ["e no due", "c overdue", "b low home", "a high work"]),
        ("priority=high", ["e no due", "a high work"]),
        ("priority=high,low", ["e no due", "b low home", "a high work"]),
        ("priority=low,low", ["b low home"]),
        ("tag=work", ["b low home", "a high work"]),
        ("tag=WORK&tag=Home", ["b low home"]),
        ("tag=home", ["e no due", "b low home"]),
        ("tag=nothing", []),
        ("due_after=2030-01-01T09:00:00Z", ["b low home", "a high work"]),  # inclusive
        ("due_before=2030-01-01T09:00:00Z", ["d done overdue", "c overdue"]),  # exclusive
        ("due_after=2030-01-01T10:00:00%2B01:00&due_before=2030-01-02T00:00:00Z", ["a high work"]),
        ("overdue=true", ["c overdue"]),
        ("overdue=false", ["e no due", "d done overdue", "b low home", "a high work"]),
        ("has_due=false", ["e no due"]),
        ("has_due=true", ["d done overdue", "c overdue", "b low home", "a high work"]),
        ("completed=false&priority=high&tag=home&has_due=false", ["e no due"]),
        ("unknown=1&page=2&filter=x", ["e no due", "d done overdue", "c overdue", "b low home",
                                        "a high work"]),
    ],
)  # fmt: skip
def test_filters(auth_client, planned, query, expected):
    assert titles(auth_client, query) == expected


def test_filters_work_on_the_user_mount(auth_client, user, planned):
    assert titles(auth_client, "tag=work&priority=low", f"/api/{user.pk}/tasks/") == ["b low home"]


def test_meta_counts_the_matches_and_next_keeps_every_parameter(auth_client, planned):
    body = auth_client.get("/api/tasks?completed=false&tag=work&ordering=title&limit=1").json()

    assert body["meta"]["count"] == 2
    assert [t["title"] for t in body["data"]] == ["a high work"]
    query = parse_qs(urlsplit(body["meta"]["next"]).query)
    assert query == {
        "completed": ["false"],
        "tag": ["work"],
        "ordering": ["title"],
        "limit": ["1"],
        "offset": ["1"],
    }
    page_2 = auth_client.get(body["meta"]["next"]).json()
    assert [t["title"] for t in page_2["data"]] == ["b low home"]
    assert page_2["meta"]["next"] is None


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ÉCOLE", ["L'école"]),
        ("école", ["L'école"]),
        ("STRASSE", ["Straße"]),
        ("straße", ["Straße"]),
        ("ΣΊΣΥΦΟΣ", ["Σίσυφος"]),  # the final sigma folds too
        ("100%", ["100% done"]),
        ("%", ["100% done"]),
        ("a_b", ["a_b"]),
        ("_", ["a_b"]),
        ("C:\\temp", ["C:\\temp"]),
        ("\\", ["C:\\temp"]),
        ("milk oat", ["Buy milk"]),  # every word, in the title or the description
        ("milk rice", []),
        ("  milk  ", ["Buy milk"]),
        ("'; DROP TABLE tasks_task; --", []),
    ],
)
def test_search(auth_client, user, search, expected):
    for title, description in [
        ("L'école", None),
        ("Straße", "Berlin"),
        ("Σίσυφος", ""),
        ("100% done", None),
        ("a_b", None),
        ("axb", "a-b"),
        ("C:\\temp", None),
        ("Buy milk", "Oat, 2 litres"),
    ]:
        TaskFactory(user=user, title=title, description=description)

    response = auth_client.get("/api/tasks", {"search": search})

    assert [t["title"] for t in response.json()["data"]] == expected


def test_search_sees_titles_as_written_through_the_api(auth_client):
    auth_client.post("/api/tasks", {"title": "ÉTÉ À PARIS"}, format="json")
    task_id = auth_client.post("/api/tasks", {"title": "x"}, format="json").json()["data"]["id"]
    auth_client.patch(f"/api/tasks/{task_id}", {"description": "Über Köln"}, format="json")

    assert titles(auth_client, "search=été") == ["ÉTÉ À PARIS"]
    assert titles(auth_client, "search=ÜBER") == ["x"]


def test_search_never_shows_other_users_tasks(auth_client, other_user):
    TaskFactory(user=other_user, title="secret plans")

    assert titles(auth_client, "search=secret") == []


# --- ordering -------------------------------------------------------------------------------


@pytest.fixture
def ordered(user):
    made = {}
    for n, (title, priority, due) in enumerate(
        [
            ("banana", Priority.LOW, T0 + timedelta(days=2)),
            ("Apple", Priority.HIGH, None),
            ("cherry", Priority.MEDIUM, T0),
            ("apple", Priority.MEDIUM, T0 + timedelta(days=1)),
            ("Éclair", Priority.HIGH, None),
        ]
    ):
        made[title] = TaskFactory(user=user, title=title, priority=priority, due_at=due)
        made[title].created_at = T0 + timedelta(minutes=n)
    return made


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["Éclair", "apple", "cherry", "Apple", "banana"]),  # -created_at
        ("created_at", ["banana", "Apple", "cherry", "apple", "Éclair"]),
        ("priority", ["banana", "apple", "cherry", "Éclair", "Apple"]),  # ties: -id
        ("-priority", ["Éclair", "Apple", "apple", "cherry", "banana"]),
        ("title", ["apple", "Apple", "banana", "cherry", "Éclair"]),  # case ignored; ties -id
        ("-title", ["Éclair", "cherry", "banana", "apple", "Apple"]),
        ("due_at", ["cherry", "apple", "banana", "Éclair", "Apple"]),  # no due date last
        ("-due_at", ["banana", "apple", "cherry", "Éclair", "Apple"]),  # ... either way
        ("-priority,title", ["Apple", "Éclair", "apple", "cherry", "banana"]),
        ("priority,-due_at", ["banana", "apple", "cherry", "Éclair", "Apple"]),
        ("title,-title", ["apple", "Apple", "banana", "cherry", "Éclair"]),
    ],
)
def test_ordering(auth_client, ordered, ordering, expected):
    from tasks.models import Task

    for task in ordered.values():
        Task.objects.filter(pk=task.pk).update(created_at=task.created_at)

    assert titles(auth_client, f"ordering={ordering}" if ordering else "") == expected


# --- invalid values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("completed=maybe", "completed", TRUE_FALSE),
        ("completed=", "completed", TRUE_FALSE),
        ("completed=True", "completed", TRUE_FALSE),
        ("completed=1", "completed", TRUE_FALSE),
        ("completed=true&completed=false", "completed", REPEATED),
        ("completed=true&completed=true", "completed", REPEATED),
        ("completed=true%00", "completed", NO_NUL),
        ("overdue=yes", "overdue", TRUE_FALSE),
        ("has_due=", "has_due", TRUE_FALSE),
        ("priority=urgent", "priority", PRIORITIES),
        ("priority=", "priority", PRIORITIES),
        ("priority=high,", "priority", PRIORITIES),
        ("priority=HIGH", "priority", PRIORITIES),
        ("priority=high&priority=low", "priority", REPEATED),
        ("tag=", "tag", Messages.TAG_LENGTH.format(n=1)),
        ("tag=work&tag=", "tag", Messages.TAG_LENGTH.format(n=2)),
        ("tag=a,b", "tag", Messages.TAG_CHARACTERS.format(n=1)),
        ("tag=" + "x" * 51, "tag", Messages.TAG_LENGTH.format(n=1)),
        ("tag=%00", "tag", NO_NUL),
        ("tag=a%0Ab", "tag", Messages.TAG_CHARACTERS.format(n=1)),
        ("&".join(f"tag=t{n}" for n in range(21)), "tag", Messages.TOO_MANY_TAGS),
        ("due_after=2030-01-01", "due_after", DATETIME),
        ("due_after=2030-01-01T00:00:00", "due_after", DATETIME),
        ("due_after=2030-01-01T00:00:00+01:00", "due_after", DATETIME),  # + read as a space
        ("due_before=not-a-date", "due_before", DATETIME),
        ("due_before=", "due_before", DATETIME),
        ("due_before=9999-12-31T23:59:59-01:00", "due_before", DATETIME),
        ("due_before=2030-02-30T00:00:00Z", "due_before", DATETIME),
        ("search=", "search", SEARCH_LENGTH),
        ("search=" + "x" * 201, "search", SEARCH_LENGTH),
        ("search=a&search=b", "search", REPEATED),
        ("search=a%00b", "search", NO_NUL),
        ("ordering=", "ordering", ORDERING),
        ("ordering=foo", "ordering", ORDERING),
        ("ordering=title,", "ordering", ORDERING),
        ("ordering=user_id", "ordering", ORDERING),
        ("ordering=--title", "ordering", ORDERING),
        ("ordering=+title", "ordering", ORDERING),
        ("ordering=%20title", "ordering", ORDERING),
        ("ordering=title&ordering=-title", "ordering", REPEATED),
        ("ordering=title;DROP TABLE tasks_task", "ordering", ORDERING),
    ],
)
def test_an_invalid_value_of_a_known_parameter_is_422_naming_it(
    auth_client, planned, query, name, message
):
    before = stored()

    response = auth_client.get(f"/api/tasks?{query}")

    assert response.status_code == 422
    assert response.json() == error("VALIDATION_ERROR", message, {name: [message]})
    assert stored() == before


def test_a_200_character_search_is_fine(auth_client, planned):
    assert titles(auth_client, "search=" + "é" * 200) == []


def test_invalid_parameters_are_all_reported(auth_client, planned):
    response = auth_client.get("/api/tasks?completed=maybe&priority=urgent")

    assert set(response.json()["error"]["details"]) == {"completed", "priority"}


@pytest.mark.parametrize("value", ["xml", "json", "api", ""])
def test_format_is_an_unknown_parameter_like_any_other(auth_client, user, value):
    task = TaskFactory(user=user, title="kept")

    listed = auth_client.get(f"/api/tasks?format={value}")
    one = auth_client.get(f"/api/tasks/{task.pk}?format={value}")

    assert listed.status_code == 200 and listed["Content-Type"] == "application/json"
    assert [t["title"] for t in listed.json()["data"]] == ["kept"]
    assert listed.json()["meta"]["count"] == 1
    assert one.status_code == 200 and one.json()["data"]["id"] == task.pk
