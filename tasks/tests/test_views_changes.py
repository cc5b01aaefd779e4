"""GET .../changes: the sync feed, oldest change first, with an opaque signed cursor."""

import pytest
from django.core import signing

from tasks.factories import TaskFactory
from tasks.models import ChangeCounter

from .helpers import task_json

pytestmark = pytest.mark.django_db


def _follow(client, cursor=None, base="/api/tasks/changes", limit=None) -> tuple[list, str]:
    """Every change after `cursor`, page by page until has_more is false; and the last cursor."""
    items = []
    while True:
        params = {k: v for k, v in {"cursor": cursor, "limit": limit}.items() if v is not None}
        body = client.get(base, params).json()
        items += body["data"]
        cursor = body["meta"]["cursor"]
        if not body["meta"]["has_more"]:
            return items, cursor


def test_without_a_cursor_the_feed_starts_at_the_beginning(auth_client, mount):
    created = [auth_client.post(mount, {"title": f"T{n}"}, format="json") for n in range(3)]

    response = auth_client.get(f"{mount}/changes")

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == [r.json()["data"] for r in created]
    assert body["meta"]["has_more"] is False
    assert isinstance(body["meta"]["cursor"], str)
    assert body["message"] == "Changes retrieved"


def test_a_changed_task_comes_again_after_the_cursor_as_it_is_now(auth_client, user):
    a, b = TaskFactory(user=user), TaskFactory(user=user)
    _, cursor = _follow(auth_client)
    auth_client.patch(f"/api/tasks/{a.pk}", {"title": "Edited"}, format="json")
    auth_client.delete(f"/api/tasks/{b.pk}")

    items, _ = _follow(auth_client, cursor)

    assert items == [task_json(a), task_json(b)]
    assert items[0]["title"] == "Edited"
    assert items[1]["deleted_at"] is not None


def test_nothing_changed_after_the_cursor_gives_an_empty_page_and_the_same_place(auth_client, user):
    TaskFactory(user=user)
    _, cursor = _follow(auth_client)

    body = auth_client.get("/api/tasks/changes", {"cursor": cursor}).json()

    assert body["data"] == []
    assert body["meta"]["has_more"] is False
    assert signing.loads(body["meta"]["cursor"], salt="tasks.changes.cursor") == signing.loads(
        cursor, salt="tasks.changes.cursor"
    )


def test_a_purged_task_comes_as_a_tombstone(auth_client, user):
    task = TaskFactory(user=user)
    _, cursor = _follow(auth_client)
    auth_client.delete(f"/api/tasks/{task.pk}")
    auth_client.delete(f"/api/tasks/trash/{task.pk}")

    items, _ = _follow(auth_client, cursor)

    assert items == [{"id": task.pk, "purged": True}]


def test_pages_follow_the_limit_and_together_give_every_change_once(auth_client, user):
    tasks = TaskFactory.create_batch(5, user=user)
    auth_client.delete(f"/api/tasks/{tasks[1].pk}")
    auth_client.delete(f"/api/tasks/trash/{tasks[1].pk}")
    auth_client.patch(f"/api/tasks/{tasks[0].pk}/complete")

    first = auth_client.get("/api/tasks/changes", {"limit": 2}).json()
    items, _ = _follow(auth_client, limit=2)

    assert len(first["data"]) == 2
    assert first["meta"]["has_more"] is True
    ids = [item["id"] for item in items]
    assert ids == [tasks[2].pk, tasks[3].pk, tasks[4].pk, tasks[1].pk, tasks[0].pk]
    assert items[3] == {"id": tasks[1].pk, "purged": True}


def test_the_feed_shows_only_the_callers_tasks(auth_client, user, other_user):
    mine = TaskFactory(user=user)
    TaskFactory(user=other_user)

    items, _ = _follow(auth_client)

    assert items == [task_json(mine)]


def test_a_cursor_of_another_user_is_422(auth_client, client_for, other_user, user):
    TaskFactory(user=other_user)
    _, theirs = _follow(client_for(other_user))

    response = auth_client.get("/api/tasks/changes", {"cursor": theirs})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["cursor"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-3],
        lambda c: c[:10],
        lambda c: "x" + c,
        lambda c: signing.dumps(["someone", 0], salt="other.salt"),
        lambda c: "",
        lambda c: "not a cursor",
    ],
    ids=["truncated", "short", "prefixed", "other-salt", "empty", "garbage"],
)
def test_an_edited_or_foreign_cursor_is_422(auth_client, user, mangle):
    TaskFactory(user=user)
    _, cursor = _follow(auth_client)

    response = auth_client.get("/api/tasks/changes", {"cursor": mangle(cursor)})

    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["details"]


def test_a_cursor_signed_for_this_user_with_another_number_is_still_refused_if_forged(
    auth_client, user
):
    forged = signing.dumps([user.pk, 10**6], salt="tasks.changes.cursor", key="not-our-secret")

    response = auth_client.get("/api/tasks/changes", {"cursor": forged})

    assert response.status_code == 422


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "x", "1.5"])
def test_a_limit_out_of_range_is_422(auth_client, limit):
    response = auth_client.get("/api/tasks/changes", {"limit": limit})

    assert response.status_code == 422
    assert list(response.json()["error"]["details"]) == ["limit"]


def test_the_feed_costs_4_statements_whatever_the_page(
    auth_client, user, django_assert_num_queries
):
    TaskFactory.create_batch(20, user=user)

    with django_assert_num_queries(4):  # the user, the counter, the tasks, the tombstones
        response = auth_client.get("/api/tasks/changes", {"limit": 10})

    assert len(response.json()["data"]) == 10


def test_a_new_user_gets_an_empty_feed(client_for, new_user_id):
    body = client_for(new_user_id).get("/api/tasks/changes").json()

    assert body["data"] == []
    assert body["meta"]["has_more"] is False


def test_a_cursor_ahead_of_the_users_changes_is_422_not_a_silent_gap(auth_client, user):
    """A database restored to an earlier state (or the user made again) counts from a lower
    number: a cursor from before would skip every change until the count caught up."""
    TaskFactory.create_batch(3, user=user)
    _, cursor = _follow(auth_client)
    ChangeCounter.objects.filter(user=user).update(last=1)  # the restored state

    response = auth_client.get("/api/tasks/changes", {"cursor": cursor})

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {
        "cursor": ["Not a cursor this server gave you: start again without one."]
    }
    assert len(_follow(auth_client)[0]) >= 1  # without a cursor: from the beginning, as asked
