"""The JSON access log: one line per request with its facts; never a token, password or header."""

import json
import logging
from io import StringIO

import pytest

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sup3r-secret-passphrase"


@pytest.fixture
def log_lines():
    """What the real console handler (JSON formatter, request-id filter) writes, as parsed lines."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = StringIO()
    previous = handler.setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.text = buffer.getvalue  # type: ignore[attr-defined]
    yield lines
    handler.setStream(previous)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "todo.access"]


def test_each_request_logs_one_json_line_with_its_facts(log_lines, client_for):
    user = UserFactory()

    response = client_for(user).get("/api/tasks?limit=5", HTTP_X_REQUEST_ID="trace-me-123")

    [line] = access_lines(log_lines())
    assert response["X-Request-ID"] == "trace-me-123"
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/api/tasks"  # no query string
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == str(user.pk)
    assert line["request_id"] == "trace-me-123"
    assert line["time"]


def test_anonymous_and_failed_requests_are_logged_too(log_lines, api_client):
    first = api_client.get("/api/tasks")
    second = api_client.delete("/api/health")

    lines = access_lines(log_lines())
    assert [(line["method"], line["status"], line["user_id"]) for line in lines] == [
        ("GET", 401, None),
        ("DELETE", 405, None),
    ]
    assert [line["request_id"] for line in lines] == [
        first["X-Request-ID"],
        second["X-Request-ID"],
    ]


def test_no_token_password_or_authorization_header_is_ever_logged(
    log_lines, caplog, api_client, client_for, make_token
):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(email="logged@example.com", password=PASSWORD)
    token = make_token(user)
    forged = token[:-4] + "AAAA"

    api_client.post(
        "/api/auth/signin", {"email": "logged@example.com", "password": PASSWORD}, format="json"
    )
    api_client.post(
        "/api/auth/signin",
        {"email": "logged@example.com", "password": PASSWORD + "x"},
        format="json",
    )
    client_for(user).get(f"/api/tasks?access_token={token}")
    client_for(user).post("/api/tasks", {"title": PASSWORD}, format="json")
    api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {forged}")
    api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Basic {token}")

    written = log_lines.text() + caplog.text
    assert len(access_lines(log_lines())) == 6
    for secret in (token, forged, token.split(".")[1], PASSWORD, "Authorization", "Bearer "):
        assert secret not in written
    assert "HTTP_AUTHORIZATION" not in written
