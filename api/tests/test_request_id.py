"""X-Request-ID: a sane client value is echoed, anything else is replaced; on every response."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

MINTED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "request_id", ["a", "abc-123_XYZ.9", "0" * 128, "7f3c2b9e-1d4a-4c6b-8e2f-0a1b2c3d4e5f"]
)
def test_a_sane_request_id_is_echoed(api_client, request_id):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID=request_id)

    assert response["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["", "0" * 129, "has space", "semi;colon", "new\nline", "slash/", "ünïcode", "a:b", "<script>"],
    ids=[
        "empty",
        "129-chars",
        "space",
        "semicolon",
        "newline",
        "slash",
        "unicode",
        "colon",
        "html",
    ],
)
def test_an_insane_request_id_is_replaced(api_client, request_id):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID=request_id)

    assert response["X-Request-ID"] != request_id
    assert MINTED.fullmatch(response["X-Request-ID"])


def test_without_a_request_id_each_response_gets_a_new_one(api_client):
    first = api_client.get("/api/health")["X-Request-ID"]
    second = api_client.get("/api/health")["X-Request-ID"]

    assert MINTED.fullmatch(first) and MINTED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/tasks", 401),
        ("get", "/api/nope", 404),
        ("delete", "/api/health", 405),
        ("get", "/api/health/ready", 200),
        ("get", "/admin/", 302),
    ],
)
def test_every_response_carries_the_request_id(api_client, method, path, status):
    response = getattr(api_client, method)(path, HTTP_X_REQUEST_ID="req-42")

    assert response.status_code == status
    assert response["X-Request-ID"] == "req-42"


def test_authenticated_responses_carry_the_request_id(auth_client):
    response = auth_client.post(
        "/api/tasks", {"title": "x"}, format="json", HTTP_X_REQUEST_ID="create-1"
    )

    assert response.status_code == 201
    assert response["X-Request-ID"] == "create-1"


def test_the_access_log_line_carries_the_request_id_and_no_secrets(
    api_client, user, make_token, log_lines
):
    token = make_token(user)
    api_client.get(
        "/api/tasks?token=secret-in-query",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_REQUEST_ID="log-me",
    )

    [line] = [entry for entry in log_lines() if entry["logger"] == "todo.access"]
    assert line["request_id"] == "log-me"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/tasks", 200)
    assert line["user_id"] == str(user.pk)
    text = json.dumps(line)
    assert "secret-in-query" not in text
    assert token not in text
