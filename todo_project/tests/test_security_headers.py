"""Security headers on API responses: nosniff, no framing, a referrer policy, HSTS when set up."""

import pytest
from rest_framework.test import APIClient

from tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _responses(client: APIClient, task, **extra) -> dict:
    """One response of each kind the API gives: success, 201, 204, 4xx of several sorts."""
    return {
        "list": client.get("/api/tasks", **extra),
        "create": client.post("/api/tasks", {"title": "x"}, format="json", **extra),
        "delete": client.delete(f"/api/tasks/{task.pk}", **extra),
        "validation": client.post("/api/tasks", {"title": ""}, format="json", **extra),
        "not-found": client.get("/api/nowhere", **extra),
        "health": client.get("/api/health", **extra),
        "schema": client.get("/api/schema", **extra),
        "docs": client.get("/api/docs", **extra),
    }


def test_every_kind_of_api_response_carries_the_security_headers(auth_client, user):
    responses = _responses(auth_client, TaskFactory(user=user))

    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "list": 200,
        "create": 201,
        "delete": 204,
        "validation": 422,
        "not-found": 404,
        "health": 200,
        "schema": 200,
        "docs": 200,
    }
    for name, response in responses.items():
        for header, value in ALWAYS.items():
            assert response.get(header) == value, (name, header)


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token"], ids=["no-token", "bad-token"]
)
def test_401s_carry_the_security_headers(api_client, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = api_client.get("/api/tasks", **extra)

    assert response.status_code == 401
    for header, value in ALWAYS.items():
        assert response[header] == value


def test_there_is_no_hsts_header_unless_configured(api_client, settings):
    settings.SECURE_HSTS_SECONDS = 0

    response = api_client.get("/api/health", secure=True)

    assert response.status_code == 200
    assert not response.has_header("Strict-Transport-Security")


def test_hsts_is_sent_on_https_when_configured(api_client, auth_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    for response in (
        APIClient().get("/api/health", secure=True),
        auth_client.get("/api/tasks", secure=True),
    ):
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_includes_subdomains_and_preload_when_asked(api_client, settings):
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = api_client.get("/api/health", secure=True)

    assert response["Strict-Transport-Security"] == ("max-age=63072000; includeSubDomains; preload")


def test_hsts_is_never_sent_over_plain_http(api_client, settings):
    # A browser ignores it there anyway, and a proxy must say https for it to count.
    settings.SECURE_HSTS_SECONDS = 31536000

    response = api_client.get("/api/health")

    assert not response.has_header("Strict-Transport-Security")


def test_behind_a_tls_proxy_x_forwarded_proto_https_counts_as_secure(api_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = api_client.get("/api/health", HTTP_X_FORWARDED_PROTO="https")

    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_ssl_redirect_sends_plain_http_to_https(api_client, settings):
    settings.SECURE_SSL_REDIRECT = True

    plain = api_client.get("/api/health")
    secure = api_client.get("/api/health", secure=True)

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/api/health"
    assert secure.status_code == 200


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/signin", "/api/auth/refresh"])
def test_responses_with_tokens_are_never_cached(api_client, path):
    credentials = {"email": "cache@example.com", "password": "cache-Horse-battery-3"}
    signup = api_client.post("/api/auth/signup", credentials, format="json")
    body = {"refresh_token": signup.json()["data"]["refresh_token"]}
    if path == "/api/auth/signup":
        response = signup
    else:
        response = api_client.post(path, credentials if "signin" in path else body, format="json")

    assert response.status_code in (200, 201)
    assert "access_token" in response.json()["data"]
    assert response["Cache-Control"] == "no-store"  # RFC 6749 5.1
    assert response["Pragma"] == "no-cache"
