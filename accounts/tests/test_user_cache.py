"""accounts.user_cache: the user a token names, remembered per process for AUTH_USER_CACHE_SECONDS
(5 s by default). A hit saves the user's SELECT; a user saved or deleted in this process is
never served stale; one deactivated elsewhere is refused once the time is up, and at once by a
new process."""

import sqlite3
import threading
import time

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import user_cache
from accounts.factories import UserFactory
from accounts.models import User
from testing.auth import access_claims, sign
from testing.live_server import live_server_process, shared_sqlite_env

pytestmark = pytest.mark.django_db


def _user_selects(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]


def test_the_second_request_skips_the_users_select(auth_client):
    with CaptureQueriesContext(connection) as first:
        assert auth_client.get("/api/tasks").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert auth_client.get("/api/tasks").status_code == 200

    assert len(_user_selects(first.captured_queries)) == 1
    assert _user_selects(second.captured_queries) == []
    assert len(second.captured_queries) == len(first.captured_queries) - 1


def test_a_token_with_another_name_updates_the_profile_at_once(api_client, user):
    for name in ("First Name", "Second Name"):
        token = sign(access_claims(user.pk, email=user.email, name=name))
        response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200

    user.refresh_from_db()
    assert user.name == "Second Name"


def test_a_user_deactivated_in_this_process_is_refused_at_once(auth_client, user):
    assert auth_client.get("/api/tasks").status_code == 200

    user.is_active = False
    user.save()  # admin and services save: this process forgets the user

    response = auth_client.get("/api/tasks")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "ACCOUNT_DISABLED")


def test_a_user_deleted_in_this_process_is_not_served_from_the_cache(auth_client, user):
    assert auth_client.get("/api/tasks").status_code == 200
    user_id = user.pk
    user.delete()

    assert auth_client.get("/api/tasks").status_code == 200  # the token recreates it
    assert User.objects.filter(pk=user_id).exists()


def test_a_user_deactivated_elsewhere_is_refused_once_the_time_is_up(auth_client, user, settings):
    settings.AUTH_USER_CACHE_SECONDS = 1
    assert auth_client.get("/api/tasks").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: like another process

    within = auth_client.get("/api/tasks")
    time.sleep(1.1)
    after = auth_client.get("/api/tasks")

    assert within.status_code == 200  # the staleness the README states
    assert (after.status_code, after.json()["error"]["code"]) == (401, "ACCOUNT_DISABLED")


def test_zero_seconds_turns_the_cache_off(auth_client, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    auth_client.get("/api/tasks")

    with CaptureQueriesContext(connection) as again:
        assert auth_client.get("/api/tasks").status_code == 200

    assert len(_user_selects(again.captured_queries)) == 1
    assert user_cache.size() == 0


def test_a_hit_is_a_copy_that_changes_nobody_elses_user(user):
    def load():
        return User.objects.get(pk=user.pk)

    first = user_cache.cached_user(user.pk, (None, None), load)
    first.name = "changed by one request"
    second = user_cache.cached_user(user.pk, (None, None), load)

    assert second is not first
    assert second.name == user.name
    assert (second.pk, second._state.adding) == (user.pk, False)


def test_the_cache_keeps_at_most_max_entries_the_newest_last(monkeypatch):
    monkeypatch.setattr(user_cache, "MAX_ENTRIES", 3)
    users = UserFactory.create_batch(5)
    for user in users:
        user_cache.cached_user(user.pk, (None, None), lambda user=user: user)

    assert user_cache.size() == 3
    loads = []
    user_cache.cached_user(users[-1].pk, (None, None), lambda: loads.append(1) or users[-1])
    user_cache.cached_user(users[0].pk, (None, None), lambda: loads.append(0) or users[0])
    assert loads == [0]  # the newest is still there, the oldest was dropped


def test_concurrent_lookups_are_safe_and_bounded(monkeypatch):
    monkeypatch.setattr(user_cache, "MAX_ENTRIES", 50)
    users = [User(id=f"user-{n}", email=f"u{n}@example.com") for n in range(200)]
    errors = []

    def work(offset):
        try:
            for n in range(400):
                user = users[(n * 7 + offset) % len(users)]
                got = user_cache.cached_user(user.pk, (None, None), lambda user=user: user)
                assert got.pk == user.pk
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert user_cache.size() <= 50


def test_a_new_process_refuses_a_deactivated_user_at_once_the_old_one_after_the_ttl(tmp_path):
    env = shared_sqlite_env(tmp_path, AUTH_USER_CACHE_SECONDS="3")
    sub = "00000000-0000-4000-8000-0000000cac4e"
    with live_server_process(env=env) as first:
        token = {"Authorization": f"Bearer {first.token(sub)}"}
        assert requests.get(f"{first.url}/api/tasks", headers=token, timeout=5).status_code == 200
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:  # deactivated by someone else
            db.execute("UPDATE accounts_user SET is_active = 0 WHERE id = ?", (sub,))
        deactivated_at = time.monotonic()

        with live_server_process(env=env) as second:
            fresh = requests.get(f"{second.url}/api/tasks", headers=token, timeout=5)
        stale = requests.get(f"{first.url}/api/tasks", headers=token, timeout=5)
        stale_after = time.monotonic() - deactivated_at
        time.sleep(max(0, 3.2 - (time.monotonic() - deactivated_at)))
        later = requests.get(f"{first.url}/api/tasks", headers=token, timeout=5)

    assert (fresh.status_code, fresh.json()["error"]["code"]) == (401, "ACCOUNT_DISABLED")
    if stale_after < 3:  # (a loaded machine may take longer than the TTL to start `second`)
        assert stale.status_code == 200
    assert (later.status_code, later.json()["error"]["code"]) == (401, "ACCOUNT_DISABLED")
