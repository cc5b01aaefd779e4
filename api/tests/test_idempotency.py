"""Idempotency-Key through the real URLs, auth, handler and renderer (both databases): replays,
a retried toggle, reuse (422), a first request still running (409), abandoned leases, errors
not kept, keys per user, bad keys, and what a key costs in statements."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import IdempotencyKey
from api.services import idempotency_claim
from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.tests.helpers import numbered_write
from tasks.tests.test_query_budget import count_statements

pytestmark = pytest.mark.django_db

BODY = b'{"title": "Buy milk", "description": "2 litres"}'


def post(client, body: bytes = BODY, path: str = "/api/tasks", **headers):
    return client.post(path, data=body, content_type="application/json", **headers)


def keyed(key: str = "retry-1") -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": key}


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The documented fingerprint: sha256 of `METHOD path\\n` and the raw body."""
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


def error(code: str, message: str, details: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"success": False, "error": body}


REUSED = error(
    "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used for a different request."
)
RUNNING = error(
    "CONFLICT", "The first request with this Idempotency-Key is still running; retry later."
)


# --- replays -------------------------------------------------------------------------------


def test_a_retried_create_gets_the_same_response_and_creates_one_task(auth_client, user):
    first = post(auth_client, **keyed())
    retry = post(auth_client, **keyed())

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert [t.title for t in Task.objects.all()] == ["Buy milk"]
    kept = IdempotencyKey.objects.get()
    assert (kept.user_id, kept.key, kept.status) == (str(user.pk), "retry-1", 201)
    assert kept.location == first["Location"]
    assert kept.fingerprint == fingerprint("POST", "/api/tasks", BODY)
    assert kept.expires_at - kept.created_at == timedelta(hours=24)


def test_a_replay_keeps_an_etag_the_first_response_had(auth_client, user):
    # The ETag of task responses comes with issue 11's preconditions; what is kept is the header.
    first = post(auth_client, **keyed())
    IdempotencyKey.objects.update(etag='"7-3"')

    retry = post(auth_client, **keyed())

    assert retry["ETag"] == '"7-3"'
    assert retry.content == first.content


def test_the_trailing_slash_is_the_same_path(auth_client):
    first = post(auth_client, **keyed())
    retry = post(auth_client, path="/api/tasks/", **keyed())

    assert retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert Task.objects.count() == 1


def test_the_user_id_mount_replays_too(auth_client, user):
    path = f"/api/{user.pk}/tasks"
    first = post(auth_client, path=path, **keyed())
    retry = post(auth_client, path=path, **keyed())

    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry["Location"].endswith(f"/api/{user.pk}/tasks/{first.json()['data']['id']}")
    assert Task.objects.count() == 1


def test_a_retried_toggle_does_not_toggle_back(auth_client, user):
    task = TaskFactory(user=user, completed=False)
    path = f"/api/tasks/{task.pk}/complete"

    first = auth_client.patch(path, **keyed("toggle-1"))
    retry = auth_client.patch(path, **keyed("toggle-1"))

    assert first.status_code == retry.status_code == 200
    assert first.json()["data"]["completed"] is True
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    task.refresh_from_db()
    assert task.completed is True
    # A new key is a new request: it toggles.
    again = auth_client.patch(path, **keyed("toggle-2"))
    assert again.json()["data"]["completed"] is False
    task.refresh_from_db()
    assert task.completed is False


def test_a_retried_set_with_a_body_replays(auth_client, user):
    task = TaskFactory(user=user, completed=False)
    path = f"/api/tasks/{task.pk}/complete"
    body = b'{"completed": true}'

    first = auth_client.patch(path, data=body, content_type="application/json", **keyed())
    retry = auth_client.patch(path, data=body, content_type="application/json", **keyed())

    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"


def test_requests_without_a_key_are_not_kept(auth_client):
    post(auth_client)
    post(auth_client)

    assert Task.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


# --- reuse for another request: 422 ----------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_creates_nothing(auth_client):
    post(auth_client, **keyed())

    response = post(auth_client, body=b'{"title": "Buy bread"}', **keyed())

    assert response.status_code == 422
    assert response.json() == REUSED
    assert [t.title for t in Task.objects.all()] == ["Buy milk"]


def test_the_same_body_written_differently_is_another_body(auth_client):
    # The fingerprint is of the raw bytes: a client retries by resending them as they were.
    post(auth_client, **keyed())

    response = post(auth_client, body=BODY.replace(b": ", b":"), **keyed())

    assert response.json() == REUSED


def test_the_same_key_on_another_path_and_method_is_422(auth_client, user):
    task = TaskFactory(user=user, completed=False)
    post(auth_client, **keyed())

    response = auth_client.patch(f"/api/tasks/{task.pk}/complete", **keyed())

    assert response.status_code == 422
    assert response.json() == REUSED
    task.refresh_from_db()
    assert task.completed is False


def test_the_same_key_on_the_other_mount_is_another_path(auth_client, user):
    post(auth_client, **keyed())

    response = post(auth_client, path=f"/api/{user.pk}/tasks", **keyed())

    assert response.json() == REUSED
    assert Task.objects.count() == 1


def test_the_same_key_on_another_task_is_422(auth_client, user):
    one, two = TaskFactory(user=user), TaskFactory(user=user)
    auth_client.patch(f"/api/tasks/{one.pk}/complete", **keyed())

    response = auth_client.patch(f"/api/tasks/{two.pk}/complete", **keyed())

    assert response.json() == REUSED
    two.refresh_from_db()
    assert two.completed is False


# --- the first request still running: 409; abandoned leases ----------------------------------


def running_lease(user, body: bytes = BODY, **fields) -> IdempotencyKey:
    """The row a first request in another process holds while it runs."""
    lease, claimed = idempotency_claim(
        user_id=str(user.pk), key="retry-1", fingerprint=fingerprint("POST", "/api/tasks", body)
    )
    assert claimed
    if fields:
        IdempotencyKey.objects.filter(pk=lease.pk).update(**fields)
    return lease


def test_the_same_key_while_the_first_request_runs_is_409(auth_client, user):
    running_lease(user)

    response = post(auth_client, **keyed())

    assert response.status_code == 409
    assert response.json() == RUNNING
    assert Task.objects.count() == 0
    assert IdempotencyKey.objects.get().status is None  # the lease is still the first one's


def test_another_request_with_a_running_key_is_422_not_409(auth_client, user):
    running_lease(user)

    response = post(auth_client, body=b'{"title": "Other"}', **keyed())

    assert response.json() == REUSED


def test_a_lease_older_than_the_lease_timeout_is_taken_over(auth_client, user, settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 60
    dead = running_lease(user, created_at=timezone.now() - timedelta(seconds=61))

    response = post(auth_client, **keyed())

    assert response.status_code == 201
    assert Task.objects.count() == 1
    kept = IdempotencyKey.objects.get()
    assert (kept.status, kept.pk) == (201, dead.pk)
    assert kept.lease != dead.lease
    assert post(auth_client, **keyed())["Idempotent-Replayed"] == "true"


def test_a_lease_within_the_lease_timeout_is_not_taken_over(auth_client, user, settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 60
    running_lease(user, created_at=timezone.now() - timedelta(seconds=50))

    assert post(auth_client, **keyed()).status_code == 409


def test_a_key_past_its_24_hours_runs_again(auth_client, user):
    post(auth_client, **keyed())
    past = timezone.now() - timedelta(seconds=1)
    IdempotencyKey.objects.update(created_at=past - timedelta(hours=24), expires_at=past)

    response = post(auth_client, **keyed())

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Task.objects.count() == 2
    assert IdempotencyKey.objects.get().expires_at > timezone.now() + timedelta(hours=23)


def test_another_body_after_24_hours_is_a_new_request(auth_client, user):
    post(auth_client, **keyed())
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post(auth_client, body=b'{"title": "Next day"}', **keyed())

    assert response.status_code == 201
    assert sorted(t.title for t in Task.objects.all()) == ["Buy milk", "Next day"]


# --- errors are not kept -----------------------------------------------------------------------


def test_an_error_is_not_kept_and_a_retry_runs_again(auth_client):
    invalid = post(auth_client, body=b'{"title": ""}', **keyed())

    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "VALIDATION_ERROR"
    assert IdempotencyKey.objects.count() == 0
    again = post(auth_client, body=b'{"title": ""}', **keyed())
    assert again.json() == invalid.json()
    assert "Idempotent-Replayed" not in again


def test_a_retry_after_a_404_runs_again(auth_client, user, other_user):
    foreign = TaskFactory(user=other_user, completed=False)
    path = f"/api/tasks/{foreign.pk}/complete"

    assert auth_client.patch(path, **keyed()).status_code == 404
    assert IdempotencyKey.objects.count() == 0
    assert auth_client.patch(path, **keyed()).status_code == 404
    foreign.refresh_from_db()
    assert foreign.completed is False


def test_an_error_frees_the_key_for_another_request(auth_client):
    post(auth_client, body=b'{"title": ""}', **keyed())

    response = post(auth_client, **keyed())

    assert response.status_code == 201
    assert Task.objects.count() == 1


def test_a_malformed_or_too_large_body_with_a_key_keeps_nothing(auth_client, settings):
    malformed = post(auth_client, body=b'{"title": ', **keyed())
    too_large = post(auth_client, body=b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), **keyed())

    assert malformed.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert too_large.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert (malformed.status_code, too_large.status_code) == (400, 413)
    assert IdempotencyKey.objects.count() == Task.objects.count() == 0


# --- keys are per user ---------------------------------------------------------------------


def test_another_users_same_key_is_independent(auth_client, client_for, user, other_user):
    mine = post(auth_client, **keyed())
    theirs = post(client_for(other_user), **keyed())

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]
    assert theirs.json()["data"]["user_id"] == str(other_user.pk)
    assert Task.objects.filter(user=other_user).count() == 1
    assert Task.objects.filter(user=user).count() == 1
    assert IdempotencyKey.objects.count() == 2


def test_another_users_different_body_with_the_same_key_is_not_reuse(
    auth_client, client_for, other_user
):
    post(auth_client, **keyed())

    response = post(client_for(other_user), body=b'{"title": "Theirs"}', **keyed())

    assert response.status_code == 201
    assert response.json()["data"]["title"] == "Theirs"


# --- bad keys --------------------------------------------------------------------------------

BAD_KEY = error(
    "VALIDATION_ERROR",
    "Idempotency-Key must be 1 to 255 visible ASCII characters.",
    {"Idempotency-Key": ["Idempotency-Key must be 1 to 255 visible ASCII characters."]},
)


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "clé", "ключ", "tab\there", "nul\x00", "del\x7f", "with space", "\x1b[31m"],
    ids=["empty", "256", "latin1", "cyrillic", "tab", "nul", "del", "space", "escape"],
)
def test_a_bad_key_is_422_and_changes_nothing(auth_client, user, key):
    task = TaskFactory(user=user, completed=False)

    created = post(auth_client, **keyed(key))
    completed = auth_client.patch(f"/api/tasks/{task.pk}/complete", **keyed(key))

    assert created.status_code == completed.status_code == 422
    assert created.json() == completed.json() == BAD_KEY
    assert Task.objects.count() == 1
    task.refresh_from_db()
    assert task.completed is False
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["k" * 255, "!", "~", "a-b_c.d:e/f+g=h"])
def test_visible_ascii_keys_of_1_to_255_characters_work(auth_client, key):
    first = post(auth_client, **keyed(key))
    retry = post(auth_client, **keyed(key))

    assert first.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().key == key


def test_a_key_is_checked_after_authentication(api_client):
    response = post(api_client, **keyed(""))

    assert response.status_code == 401


# --- statements --------------------------------------------------------------------------------


@pytest.fixture
def statements(monkeypatch):
    """Run a request; its response and every SQL statement it cost (see test_query_budget),
    counted as a process that has not seen the user lately (accounts/user_cache.py) pays it."""

    def _run(call):
        with monkeypatch.context() as patch, count_statements(patch) as counted:
            response = call()
        sql = [q["sql"] for q in counted["ctx"].captured_queries]
        return response, counted["total"], sql

    return _run


def test_a_request_without_a_key_costs_no_statement_more(auth_client, user, statements):
    task = TaskFactory(user=user)

    created, create_total, create_sql = statements(lambda: post(auth_client))
    toggled, toggle_total, toggle_sql = statements(
        lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete")
    )

    assert (created.status_code, toggled.status_code) == (201, 200)
    # The budgets of test_query_budget: the user row, then the numbered write.
    assert (create_total, toggle_total) == (1 + numbered_write(), 1 + numbered_write())
    assert not [sql for sql in create_sql + toggle_sql if "idempotency" in sql]


def test_a_first_keyed_request_costs_4_statements_more(auth_client, user, statements):
    task = TaskFactory(user=user)

    _, create_total, create_sql = statements(lambda: post(auth_client, **keyed("a")))
    _, toggle_total, _ = statements(
        lambda: auth_client.patch(f"/api/tasks/{task.pk}/complete", **keyed("b"))
    )

    # The lease (one INSERT that commits alone), then the work and the kept response in one
    # transaction: BEGIN (here a savepoint), the work, UPDATE of the lease, COMMIT (RELEASE).
    assert (create_total, toggle_total) == (1 + numbered_write() + 4,) * 2
    assert "ON CONFLICT" in create_sql[1]


def test_a_replay_costs_3_statements_and_does_no_work(auth_client, statements):
    post(auth_client, **keyed())

    response, total, sql = statements(lambda: post(auth_client, **keyed()))

    assert response["Idempotent-Replayed"] == "true"
    assert total == 3  # the user row, the lost INSERT, the SELECT of the kept response
    assert not [statement for statement in sql if "tasks_task" in statement]
