"""GET /api/tags and /api/{user_id}/tags: the caller's tags with their counts."""

import pytest

from tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(user, other_user):
    TaskFactory(user=user, tags=["work", "Planning"])
    TaskFactory(user=user, tags=["Work", "home"])
    TaskFactory(user=user, tags=["work"])
    TaskFactory(user=user, tags=["école"])
    TaskFactory(user=user, tags=[])
    TaskFactory(user=other_user, tags=["secret", "work"])


@pytest.mark.parametrize("path", ["/api/tags", "/api/tags/", "/api/{}/tags", "/api/{}/tags/"])
def test_tags_lists_the_callers_tags_with_counts_sorted_ignoring_case(
    auth_client, user, tagged, path
):
    response = auth_client.get(path.format(user.pk))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": [  # case-folded, then character by character: accented letters after z
            {"name": "home", "count": 1},
            {"name": "Planning", "count": 1},
            {"name": "work", "count": 3},  # "work" on two tasks, "Work" on one: one tag
            {"name": "école", "count": 1},
        ],
        "message": "Tags retrieved",
    }


def test_a_tie_between_spellings_goes_to_the_one_that_sorts_first(auth_client, user):
    TaskFactory(user=user, tags=["home"])
    TaskFactory(user=user, tags=["Home"])

    assert auth_client.get("/api/tags").json()["data"] == [{"name": "Home", "count": 2}]


def test_no_tags_is_an_empty_list(auth_client):
    assert auth_client.get("/api/tags").json()["data"] == []


def test_counts_follow_writes(auth_client, user):
    task = auth_client.post("/api/tasks", {"title": "t", "tags": ["a", "b"]}, format="json")
    auth_client.patch(f"/api/tasks/{task.json()['data']['id']}", {"tags": ["b"]}, format="json")

    assert auth_client.get("/api/tags").json()["data"] == [{"name": "b", "count": 1}]


def test_another_users_id_in_the_path_is_403(auth_client, other_user, tagged):
    response = auth_client.get(f"/api/{other_user.pk}/tags")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


def test_tags_need_a_token(api_client):
    response = api_client.get("/api/tags")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTH_REQUIRED"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_tags_are_read_only(auth_client, method):
    assert getattr(auth_client, method)("/api/tags").status_code == 405
