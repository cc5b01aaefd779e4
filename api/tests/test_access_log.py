"""The JSON access log: one line per request with its facts; never a token, password or header."""

import logging
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from accounts.factories import UserFactory
from testing.jwks import JWKSServer, SigningKey

pytestmark = pytest.mark.django_db

PASSWORD = "Sup3r-secret-passphrase"


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


def _assert_never_written(written: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in written
        if secret.count(".") == 2:  # a JWT: not even its payload or signature alone
            for part in secret.split(".")[1:]:
                assert part not in written


def test_passwords_and_refresh_tokens_in_bodies_are_never_logged(log_lines, caplog, api_client):
    caplog.set_level(logging.DEBUG)
    credentials = {"email": "bodies@example.com", "password": PASSWORD}

    signup = api_client.post("/api/auth/signup", credentials, format="json")
    first = signup.json()["data"]["refresh_token"]
    api_client.post("/api/auth/signin", credentials, format="json")
    wrong = {**credentials, "password": PASSWORD + "-wrong"}
    api_client.post("/api/auth/signin", wrong, format="json")
    weak = {"email": "weak@example.com", "password": "Qz7!xk"}  # too short: 422
    api_client.post("/api/auth/signup", weak, format="json")
    rotated = api_client.post("/api/auth/refresh", {"refresh_token": first}, format="json")
    second = rotated.json()["data"]["refresh_token"]
    api_client.post("/api/auth/refresh", {"refresh_token": first}, format="json")  # revoked: 401
    api_client.post("/api/auth/signout", {"refresh_token": second}, format="json")
    api_client.post("/api/auth/refresh", {"refresh_token": "x" + second}, format="json")

    assert [line["status"] for line in access_lines(log_lines())] == [
        201, 200, 401, 422, 200, 401, 204, 401,
    ]  # fmt: skip
    written = log_lines.text() + caplog.text
    _assert_never_written(written, PASSWORD, weak["password"], first, second)
    assert "refresh_token" not in written and "password" not in written


@pytest.mark.urls("api.tests.urls_failing")
def test_a_500_logs_the_path_but_never_the_query_string(log_lines, caplog, client, make_token):
    caplog.set_level(logging.DEBUG)
    token = make_token(uuid.uuid4())
    client.raise_request_exception = False

    for path in ("raise", "plain", "unrenderable"):
        response = client.get(
            f"/api/test-failures/{path}?access_token={token}&api_key=k-3f9a7c",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 500

    written = log_lines.text() + caplog.text
    assert "GET /api/test-failures/raise" in written  # Django's own error line, path only
    _assert_never_written(written, token, "k-3f9a7c", "access_token")


@pytest.fixture
def jwks_key(settings):
    """An EdDSA issuer key published by a real JWKS server that JWT_JWKS_URL points at."""
    server = JWKSServer()
    key = SigningKey(alg="EdDSA", private_key=ed25519.Ed25519PrivateKey.generate())
    server.publish(key)
    settings.JWT_JWKS_URL = server.url
    yield key, server
    server.stop()


def test_the_jwks_path_never_logs_a_token(log_lines, caplog, api_client, jwks_key):
    caplog.set_level(logging.DEBUG)
    key, server = jwks_key
    now = int(time.time())
    token = key.sign({"sub": str(uuid.uuid4()), "iat": now, "exp": now + 300})
    unknown = SigningKey(alg="EdDSA", private_key=ed25519.Ed25519PrivateKey.generate())
    stranger = unknown.sign({"sub": str(uuid.uuid4()), "iat": now, "exp": now + 300})

    ok = api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    refused = api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {stranger}")
    server.status = 500  # the issuer fails: the refetch for an unknown kid logs an error
    time.sleep(1.1)
    down = api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {stranger}")

    assert [ok.status_code, refused.status_code, down.status_code] == [200, 401, 503]
    written = log_lines.text() + caplog.text
    assert f"JWKS at {server.url} is not a key set (HTTP 500)" in written
    _assert_never_written(written, token, stranger)
