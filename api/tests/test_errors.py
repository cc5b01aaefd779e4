"""The error envelope on every error kind: unknown paths, 405, 415, 400, 413, 500, 503."""

import logging

import pytest
from django.conf import settings
from django.db import OperationalError, ProgrammingError, connection

from accounts.models import User
from api.errors import ERRORS
from tasks.factories import TaskFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db

SECRET = "do not leak"  # part of every failure message in urls_failing
LEAKS = ("Traceback", "SELECT", "password", "RuntimeError", "accounts_user", "SECRET_KEY", "File ")


def _error(code: str, message: str) -> dict:
    return {"success": False, "error": {"code": code, "message": message}}


def _assert_leaks_nothing(response) -> None:
    text = response.content.decode()
    assert not [leak for leak in LEAKS if leak in text], text


# --- 404 for unknown paths under /api/ ----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path", ["/api/", "/api/nope", "/api/nope/", "/api/tasks/1/nope", "/api/health/nope"]
)
@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "authenticated"])
def test_an_unknown_api_path_is_404_not_found(request, api_client, method, path, authenticated):
    client = request.getfixturevalue("auth_client") if authenticated else api_client

    response = getattr(client, method)(path, {"title": "x"}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == _error("NOT_FOUND", "No API endpoint matches this path.")


def test_an_unknown_api_path_with_a_non_json_body_is_still_404(api_client):
    response = api_client.post("/api/nope", "plain", content_type="text/plain")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


# --- 405 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/tasks", "GET, POST"),
        ("put", "/api/tasks/", "GET, POST"),
        ("patch", "/api/tasks", "GET, POST"),
        ("post", "/api/tasks/{pk}", "GET, PUT, PATCH, DELETE"),
        ("get", "/api/tasks/{pk}/complete", "PATCH"),
        ("put", "/api/tasks/{pk}/complete/", "PATCH"),
        ("post", "/api/{user_id}/tasks/{pk}", "GET, PUT, PATCH, DELETE"),
        ("post", "/api/health", "GET"),
    ],
)
def test_a_method_the_path_does_not_have_is_405(auth_client, user, method, path, allowed):
    task = TaskFactory(user=user)
    path = path.format(pk=task.pk, user_id=user.pk)

    response = getattr(auth_client, method)(path, {"title": "x"}, format="json")

    assert response.status_code == 405
    assert response.json() == _error(
        "METHOD_NOT_ALLOWED", f'Method "{method.upper()}" not allowed.'
    )
    assert {m.strip() for m in response["Allow"].split(",")} >= set(allowed.split(", "))
    task.refresh_from_db()
    assert Task.objects.count() == 1


def test_a_405_still_needs_a_token_first(api_client):
    response = api_client.delete("/api/tasks")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTH_REQUIRED"


# --- 415, 400 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("title=x", "application/x-www-form-urlencoded"),
        ('{"title": "x"}', "text/plain"),
        ("<title>x</title>", "application/xml"),
        ('{"title": "x"}', "application/octet-stream"),
    ],
)
def test_a_body_that_is_not_json_is_415(auth_client, body, content_type):
    response = auth_client.post("/api/tasks", body, content_type=content_type)

    assert response.status_code == 415
    assert response.json() == _error(
        "UNSUPPORTED_MEDIA_TYPE", f'Unsupported media type "{content_type}" in request.'
    )
    assert not Task.objects.exists()


def test_multipart_is_415(auth_client):
    response = auth_client.post("/api/tasks", {"title": "x"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    "body",
    [b'{"title": ', b"{'title': 'x'}", b'{"title": "x",}', b"\xff\xfe{}", b'{"t": "\\ud800"}'],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "lone-surrogate"],
)
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_body_that_is_not_parseable_json_is_400(auth_client, user, method, body):
    task = TaskFactory(user=user, title="Kept")
    path = "/api/tasks" if method == "post" else f"/api/tasks/{task.pk}"

    response = getattr(auth_client, method)(path, body, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "MALFORMED_REQUEST"
    assert error["message"].startswith("Malformed JSON")
    assert list(Task.objects.values_list("title", flat=True)) == ["Kept"]


def test_a_malformed_body_on_complete_is_400(auth_client, user):
    task = TaskFactory(user=user, completed=False)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}/complete", b"{", content_type="application/json"
    )

    assert response.status_code == 400
    task.refresh_from_db()
    assert task.completed is False


@pytest.mark.parametrize("depth", [33, 5000])
def test_deeply_nested_json_is_400(auth_client, depth):
    body = '{"title": "x", "description": ' + "[" * depth + "]" * depth + "}"

    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert not Task.objects.exists()


def test_json_nested_within_the_limit_reaches_validation(auth_client):
    body = '{"title": "x", "description": ' + "[" * 20 + "]" * 20 + "}"

    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code == 422


# --- 413 ----------------------------------------------------------------------------------------


def _body_of(size: int) -> bytes:
    """A valid task body of exactly `size` bytes (padded with JSON whitespace)."""
    head, tail = b'{"title": "big"', b"}"
    return head + b" " * (size - len(head) - len(tail)) + tail


def test_a_body_over_the_limit_is_413(auth_client, settings):
    body = _body_of(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == _error("PAYLOAD_TOO_LARGE", "Request body is too large.")
    assert not Task.objects.exists()


def test_a_body_at_the_limit_is_accepted(auth_client, settings):
    body = _body_of(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code == 201


def test_the_limit_follows_the_setting(auth_client, user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    task = TaskFactory(user=user)

    response = auth_client.patch(
        f"/api/tasks/{task.pk}", _body_of(2049), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


# --- 500 ----------------------------------------------------------------------------------------


@pytest.mark.urls("api.tests.urls_failing")
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("kind", ["raise", "unrenderable", "plain"])
def test_an_unexpected_exception_is_a_500_that_leaks_nothing(settings, debug, kind):
    from rest_framework.test import APIClient

    settings.DEBUG = debug
    client = APIClient(raise_request_exception=False)

    response = client.get(f"/api/test-failures/{kind}")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == _error("INTERNAL_ERROR", "An unexpected error occurred.")
    assert SECRET not in response.content.decode()
    _assert_leaks_nothing(response)
    assert response["X-Request-ID"]
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(response.content)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_disallowed_host_is_a_400_envelope_without_debug_page(api_client, settings, debug):
    settings.DEBUG = debug

    response = api_client.get("/api/tasks", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json() == _error("MALFORMED_REQUEST", "Bad request.")
    _assert_leaks_nothing(response)
    assert "ALLOWED_HOSTS" not in response.content.decode()


@pytest.mark.urls("api.tests.urls_failing")
def test_a_500_is_logged_with_its_traceback(caplog):
    from rest_framework.test import APIClient

    with caplog.at_level(logging.ERROR, logger="todo.errors"):
        APIClient().get("/api/test-failures/raise", HTTP_X_REQUEST_ID="trace-me")

    record = next(r for r in caplog.records if r.name == "todo.errors")
    assert record.exc_info and record.exc_info[0] is RuntimeError


def _failing_sql(exception):
    def wrapper(execute, sql, params, many, context):
        raise exception

    return wrapper


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_database_error_is_a_500_without_sql(auth_client, settings, debug):
    settings.DEBUG = debug
    failure = ProgrammingError(f'relation "tasks_task" does not exist: SELECT 1 -- {SECRET}')

    with connection.execute_wrapper(_failing_sql(failure)):
        response = auth_client.get("/api/tasks")

    assert response.status_code == 500
    assert response.json() == _error("INTERNAL_ERROR", "An unexpected error occurred.")
    _assert_leaks_nothing(response)
    assert "tasks_task" not in response.content.decode()


@pytest.mark.urls("api.tests.urls_failing")
@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "MALFORMED_REQUEST"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (405, "METHOD_NOT_ALLOWED"),
        (418, "MALFORMED_REQUEST"),
        (500, "INTERNAL_ERROR"),
        (502, "INTERNAL_ERROR"),
        (503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_an_html_error_page_under_the_api_becomes_the_envelope_of_its_status(client, status, code):
    response = client.get(f"/api/test-failures/page/{status}")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == _error(code, ERRORS[code].message)
    assert int(response["Content-Length"]) == len(response.content)
    _assert_leaks_nothing(response)


def test_each_message_of_the_error_table_is_written_once():
    runtime = [
        path.read_text()
        for package in ("api", "accounts", "tasks", "todo_project")
        for path in (settings.BASE_DIR / package).rglob("*.py")
        if "tests" not in path.parts
    ]

    written = {spec.message: sum(text.count(f'"{spec.message}"') for text in runtime)
               for spec in ERRORS.values()}  # fmt: skip
    assert written == {message: 1 for message in written}


# --- 503 ----------------------------------------------------------------------------------------

UNAVAILABLE = _error(
    "SERVICE_UNAVAILABLE", "The service is temporarily unavailable; try again shortly."
)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/tasks", None),
        ("post", "/api/tasks", {"title": "x"}),
        ("patch", "/api/tasks/1/complete", None),
        ("delete", "/api/tasks/1", None),
    ],
)
def test_an_unreachable_database_is_503_on_the_api(auth_client, user, method, path, body):
    down = OperationalError('connection to server at "db" failed: Connection refused')

    with connection.execute_wrapper(_failing_sql(down)):
        response = getattr(auth_client, method)(path, body, format="json")

    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    _assert_leaks_nothing(response)


def test_an_unreachable_database_is_503_for_a_new_users_first_request(api_client, make_token):
    import uuid

    token = make_token(uuid.uuid4())

    with connection.execute_wrapper(_failing_sql(OperationalError("server closed"))):
        response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert not User.objects.exists()


def test_the_api_recovers_when_the_database_comes_back(auth_client, user):
    TaskFactory(user=user)
    with connection.execute_wrapper(_failing_sql(OperationalError("down"))):
        assert auth_client.get("/api/tasks").status_code == 503

    response = auth_client.get("/api/tasks")

    assert response.status_code == 200
    assert response.json()["meta"]["count"] == 1


def test_readiness_is_503_when_the_database_is_unreachable(api_client):
    with connection.execute_wrapper(_failing_sql(OperationalError("Connection refused"))):
        response = api_client.get("/api/health/ready")

    assert response.status_code == 503
    assert response.json() == _error("SERVICE_UNAVAILABLE", "The database is not reachable.")
    _assert_leaks_nothing(response)
