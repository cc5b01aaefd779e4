"""The `{user_id}` mount (accounts.permissions.IsPathUser) with every kind of user id.

The caller's own id works whatever the issuer's ids look like; any other well-formed id is a
403 (whether or not someone has it); an id no token could carry is a 422.
"""

import uuid

import pytest

from accounts.models import User
from tasks.factories import TaskFactory
from testing.auth import access_claims, bearer, sign

pytestmark = pytest.mark.django_db

BETTER_AUTH_ID = "k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG"
INVALID_USER_ID = "Must be 1 to 255 characters without control characters (the user's id)."


def as_user(sub: str):
    return bearer(sign(access_claims(sub)))


@pytest.mark.parametrize(
    "sub",
    [BETTER_AUTH_ID, "auth0|5f7c8ec7c33c6c004bbafe82", "user@example.com", "42", "x" * 255, "é ü"],
    ids=["better-auth", "auth0", "email-like", "digits", "255", "unicode-and-space"],
)
def test_the_callers_own_id_of_any_kind_mounts_their_tasks(sub):
    client = as_user(sub)

    created = client.post(f"/api/{sub}/tasks", {"title": "Mine"}, format="json")
    listed = client.get(f"/api/{sub}/tasks")

    assert created.status_code == 201, created.json()
    assert created.json()["data"]["user_id"] == sub
    assert created["Location"].endswith(f"/tasks/{created.json()['data']['id']}")
    assert [(t["title"], t["user_id"]) for t in listed.json()["data"]] == [("Mine", sub)]
    assert User.objects.get().tasks.get().title == "Mine"


def test_a_uuid_id_matches_in_any_letter_case():
    sub = str(uuid.uuid4())
    client = as_user(sub.upper())

    response = client.get(f"/api/{sub.upper()}/tasks")
    mixed = client.get(f"/api/{sub[:8].upper()}{sub[8:]}/tasks")

    assert (response.status_code, mixed.status_code) == (200, 200)
    assert User.objects.get().pk == sub


@pytest.mark.parametrize(
    "path_id",
    [BETTER_AUTH_ID.lower(), BETTER_AUTH_ID + " ", BETTER_AUTH_ID[:-1], "someone", "x" * 255],
    ids=["other-case", "trailing-space", "prefix", "word", "255"],
)
def test_any_other_well_formed_id_is_403_and_changes_nothing(path_id):
    """Only UUIDs ignore letter case: other ids are compared exactly as the issuer wrote them."""
    owner = User.objects.create(id=BETTER_AUTH_ID)
    other = User.objects.create(id=path_id) if path_id != "someone" else None
    if other:
        TaskFactory(user=other, title="Theirs")

    response = as_user(owner.pk).post(f"/api/{path_id}/tasks", {"title": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert not owner.tasks.exists()


@pytest.mark.parametrize(
    "path_id",
    ["", "x" * 256, "a%00b", "%09", "%7F", "%C2%9F"],
    ids=["empty", "256", "nul", "tab", "del", "c1"],
)
def test_an_id_no_token_could_carry_is_422(path_id):
    response = as_user(BETTER_AUTH_ID).get(f"/api/{path_id}/tasks")

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": INVALID_USER_ID,
        "details": {"user_id": [INVALID_USER_ID]},
    }
