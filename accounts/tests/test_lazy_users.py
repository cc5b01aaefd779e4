"""Lazy users through the real API: the first valid token for an unknown `sub` creates the user."""

import time
import uuid

import pytest

from accounts import user_cache
from accounts.factories import UserFactory
from accounts.models import User
from testing.auth import access_claims, sign

pytestmark = pytest.mark.django_db


def _get(api_client, authorization: str):
    return api_client.get("/api/tasks", HTTP_AUTHORIZATION=authorization)


def test_the_first_request_creates_the_user_from_the_token(api_client, new_user_id):
    token = sign(access_claims(new_user_id, email="New.Person@Example.com", name="New Person"))

    response = _get(api_client, f"Bearer {token}")

    assert response.status_code == 200
    user = User.objects.get()
    assert (user.pk, user.email, user.name) == (new_user_id, "new.person@example.com", "New Person")
    assert user.is_active is True
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_a_lazily_created_user_has_no_usable_password(api_client, new_user_id):
    _get(api_client, f"Bearer {sign(access_claims(new_user_id))}")

    user = User.objects.get(pk=new_user_id)
    assert user.has_usable_password() is False
    assert user.check_password("") is False


def test_a_token_without_email_or_name_creates_a_bare_user(api_client, new_user_id):
    _get(api_client, f"Bearer {sign(access_claims(new_user_id))}")

    user = User.objects.get(pk=new_user_id)
    assert (user.email, user.name) == (None, "")


def test_a_lazy_user_whose_email_is_taken_is_created_without_it(api_client, new_user_id):
    taken = UserFactory(email="Taken@Example.com")
    token = sign(access_claims(new_user_id, email="taken@example.COM", name="Second"))

    response = _get(api_client, f"Bearer {token}")

    assert response.status_code == 200
    user = User.objects.get(pk=new_user_id)
    assert (user.email, user.name) == (None, "Second")
    taken.refresh_from_db()
    assert taken.email == "Taken@Example.com"


def test_several_lazy_users_without_email_can_coexist(api_client):
    ids = [str(uuid.uuid4()), "k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", "auth0|5f7c8ec7c33c6c004bbafe82"]

    for user_id in ids:
        assert _get(api_client, f"Bearer {sign(access_claims(user_id))}").status_code == 200

    assert set(User.objects.values_list("pk", flat=True)) == set(ids)


def test_a_later_token_updates_the_email_and_name_and_nothing_else(api_client, user):
    before = (user.password, user.is_active, user.is_staff)
    token = sign(access_claims(user.pk, email="Changed@Example.com", name="Changed"))

    assert _get(api_client, f"Bearer {token}").status_code == 200
    me = api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["data"]

    user.refresh_from_db()
    assert (user.email, user.name) == ("changed@example.com", "Changed")
    assert (me["email"], me["name"]) == ("changed@example.com", "Changed")
    assert (user.password, user.is_active, user.is_staff) == before
    assert User.objects.count() == 1


def test_a_later_token_without_email_or_name_keeps_them(api_client, user):
    before = (user.email, user.name)

    assert _get(api_client, f"Bearer {sign(access_claims(user.pk))}").status_code == 200

    user.refresh_from_db()
    assert (user.email, user.name) == before


def test_a_later_token_never_takes_another_users_email(api_client, user, other_user):
    before = user.email
    token = sign(access_claims(user.pk, email=other_user.email.upper(), name="Renamed"))

    assert _get(api_client, f"Bearer {token}").status_code == 200

    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.email, user.name) == (before, "Renamed")
    assert other_user.email != before


def test_an_invalid_token_never_creates_a_user(api_client, new_user_id):
    expired = sign(access_claims(new_user_id, exp=int(time.time()) - 3600))
    forged = sign(access_claims(new_user_id), key="x" * 40)
    refresh = sign(access_claims(new_user_id, token_type="refresh"))

    for token in (expired, forged, refresh):
        assert _get(api_client, f"Bearer {token}").status_code == 401

    assert not User.objects.exists()


def test_a_lazy_user_can_use_their_own_id_mount_on_the_first_request(api_client, new_user_id):
    token = sign(access_claims(new_user_id))

    response = api_client.post(
        f"/api/{new_user_id}/tasks",
        {"title": "First"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 201
    assert response.json()["data"]["user_id"] == str(new_user_id)
    assert User.objects.get().tasks.get().title == "First"


def test_a_deactivated_lazy_user_is_not_recreated(api_client, new_user_id):
    token = sign(access_claims(new_user_id))
    _get(api_client, f"Bearer {token}")
    User.objects.filter(pk=new_user_id).update(is_active=False)  # no signal: as elsewhere
    user_cache.clear()  # as once AUTH_USER_CACHE_SECONDS passed (test_user_cache.py)

    response = _get(api_client, f"Bearer {token}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "ACCOUNT_DISABLED"
    assert User.objects.count() == 1
