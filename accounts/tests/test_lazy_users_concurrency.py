"""Concurrent first requests for the same new `sub` (PostgreSQL: real concurrent connections)."""

import functools
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from testing.auth import access_claims, sign
from testing.concurrency import run_concurrently

THREADS = 10


def _first_requests(tokens: list[str]) -> list:
    """One thread per token, each with its own client and connection: GET /api/tasks at once."""

    def first_request(token: str):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.get("/api/tasks")
        return response.status_code, response.json()

    return run_concurrently([functools.partial(first_request, token) for token in tokens])


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_all_succeed_and_create_one_user(postgres_only, new_user_id):
    token = sign(access_claims(new_user_id, email="race@example.com", name="Racer"))

    results = _first_requests([token] * THREADS)

    assert results == [(200, results[0][1])] * THREADS
    assert results[0][1]["data"] == []
    assert User.objects.filter(pk=new_user_id).count() == 1
    user = User.objects.get(pk=new_user_id)
    assert (user.email, user.name, user.has_usable_password()) == (
        "race@example.com",
        "Racer",
        False,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_new_users_sharing_an_email_all_succeed_and_one_gets_it(postgres_only):
    ids = [str(uuid.uuid4()) for _ in range(THREADS)]
    tokens = [sign(access_claims(user_id, email="Shared@Example.com")) for user_id in ids]

    results = _first_requests(tokens)

    assert [result[0] for result in results] == [200] * THREADS
    assert set(User.objects.values_list("pk", flat=True)) == set(ids)
    assert list(User.objects.exclude(email=None).values_list("email", flat=True)) == [
        "shared@example.com"
    ]


@pytest.mark.django_db(transaction=True)
def test_existing_users_claiming_one_new_email_at_once_all_succeed_and_one_gets_it(postgres_only):
    ids = [str(uuid.uuid4()) for _ in range(THREADS)]
    for user_id in ids:
        User.objects.create(id=user_id, email=f"{user_id}@example.com")
    tokens = [sign(access_claims(user_id, email="Moved@Example.com")) for user_id in ids]

    results = _first_requests(tokens)

    assert [result[0] for result in results] == [200] * THREADS
    emails = dict(User.objects.values_list("pk", "email"))
    [winner] = [user_id for user_id, email in emails.items() if email == "moved@example.com"]
    assert all(emails[user_id] == f"{user_id}@example.com" for user_id in ids if user_id != winner)
