"""Every 401 says why: `error.details.reason` from one vocabulary (api.errors.AUTH_REASONS), the
`WWW-Authenticate` challenge, and the same reason on the request's access log line.

One case per reason, each through the real URL, auth class, handler, renderer and middleware.
"""

import time
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts.factories import UserFactory
from api.errors import AUTH_REASONS
from testing.auth import STRONG_PASSWORD, access_claims, sign

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks"


def _get(token: str | None, path: str = TASKS):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return APIClient().get(path, **headers)


def _post(path: str, body: dict):
    return APIClient().post(path, body, format="json")


def _user_token(**claims) -> str:
    return sign(access_claims(UserFactory().pk, **claims))


def _refresh_token() -> str:
    UserFactory(email="r@example.com", password=STRONG_PASSWORD)
    response = _post("/api/auth/signin", {"email": "r@example.com", "password": STRONG_PASSWORD})
    return response.json()["data"]["refresh_token"]


def _revoked(env):
    token = _refresh_token()
    _post("/api/auth/signout", {"refresh_token": token})
    return _post("/api/auth/refresh", {"refresh_token": token})


def _unknown_key(env):
    known, stranger = env.make_key("EdDSA"), env.make_key("EdDSA")
    env.jwks_server.publish(known)
    env.settings.JWT_JWKS_URL = env.jwks_server.url
    return _get(stranger.sign(access_claims("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG")))


def _wrong_issuer(env):
    env.settings.JWT_ISSUER = "http://localhost:3000"
    return _get(_user_token(iss="http://127.0.0.1:3000"))


def _wrong_audience(env):
    env.settings.JWT_AUDIENCE = "http://localhost:3000"
    return _get(_user_token(aud="http://localhost:3000/"))


def _account_disabled(env):
    user = UserFactory(is_active=False)
    return _get(sign(access_claims(user.pk)))


def _invalid_credentials(env):
    return _post("/api/auth/signin", {"email": "nobody@example.com", "password": "wrong-pass-1"})


CASES = {  # reason -> (request making it, what its message must say)
    "expired": (lambda env: _get(_user_token(exp=int(time.time()) - 3600)), "expired"),
    "not_yet_valid": (lambda env: _get(_user_token(nbf=int(time.time()) + 3600)), "not yet"),
    "bad_signature": (lambda env: _get(sign(access_claims("u"), key="k" * 40)), "signature"),
    "malformed": (lambda env: _get("not.a.jwt"), "malformed"),
    # An EdDSA token where no JWKS is configured: the message says what is missing.
    "algorithm_not_allowed": (
        lambda env: _get(env.make_key("EdDSA").sign(access_claims("u"))),
        "JWT_JWKS_URL is not set",
    ),
    "unknown_key": (_unknown_key, "is not in the issuer's current key set"),
    "wrong_issuer": (_wrong_issuer, "expected 'http://localhost:3000'"),
    "wrong_audience": (_wrong_audience, "expected 'http://localhost:3000'"),
    "missing_claim": (lambda env: _get(sign(access_claims("u", sub=None))), "'sub'"),
    "invalid_subject": (lambda env: _get(sign(access_claims("a/b"))), "'sub'"),
    "refresh_token": (lambda env: _get(_refresh_token()), "refresh token"),
    "revoked": (_revoked, "revoked"),
    "not_refresh_token": (
        lambda env: _post("/api/auth/refresh", {"refresh_token": _user_token(jti="j")}),
        "Not a refresh token",
    ),
    "missing_token": (lambda env: _get(None), "not provided"),
    "account_disabled": (_account_disabled, "disabled"),
    "invalid_credentials": (_invalid_credentials, "Invalid email or password"),
}
CODES = {"missing_token": "AUTH_REQUIRED", "account_disabled": "ACCOUNT_DISABLED"}
CODES["invalid_credentials"] = "INVALID_CREDENTIALS"


def test_every_reason_of_the_vocabulary_has_a_case_here():
    assert set(CASES) == set(AUTH_REASONS)


@pytest.fixture
def env(settings, make_key, jwks_server):
    return SimpleNamespace(settings=settings, make_key=make_key, jwks_server=jwks_server)


@pytest.mark.parametrize("reason", list(CASES))
def test_a_401_says_why_in_the_body_the_challenge_and_the_access_log(reason, env, log_lines):
    make_request, says = CASES[reason]

    response = make_request(env)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == CODES.get(reason, "INVALID_TOKEN")
    assert error["details"] == {"reason": reason}
    assert says in error["message"]
    challenge = 'Bearer realm="api"'
    if error["code"] == "INVALID_TOKEN":
        challenge += ', error="invalid_token"'
    assert response["WWW-Authenticate"] == challenge
    access = [line for line in log_lines() if line["logger"] == "todo.access"]
    assert access[-1]["status"] == 401
    assert access[-1]["reason"] == reason
    assert access[-1]["request_id"] == response["X-Request-ID"]


def test_lines_of_answers_that_are_not_401s_carry_no_reason(log_lines, auth_client):
    auth_client.get(TASKS)
    auth_client.get("/api/nowhere")

    access = [line for line in log_lines() if line["logger"] == "todo.access"]
    assert [line["status"] for line in access] == [200, 404]
    assert all("reason" not in line for line in access)
