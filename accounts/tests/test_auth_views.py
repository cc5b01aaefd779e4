"""Auth endpoints over the real URLs: signup, signin, refresh, signout, me."""

import time
import uuid

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

import todo_project.settings as production_settings
from accounts.authentication import verify_access_token
from accounts.factories import UserFactory
from accounts.models import User
from tasks.models import Task
from testing.auth import STRONG_PASSWORD, access_claims, bearer, sign
from testing.concurrency import run_concurrently

pytestmark = pytest.mark.django_db

SIGNUP, SIGNIN, REFRESH, SIGNOUT, ME = (
    f"/api/auth/{name}" for name in ("signup", "signin", "refresh", "signout", "me")
)


def post(path: str, body: dict, client: APIClient | None = None):
    return (client or APIClient()).post(path, body, format="json")


def signup(email="alice@example.com", password=STRONG_PASSWORD, **extra):
    return post(SIGNUP, {"email": email, "password": password, **extra})


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", name="Alice", password=STRONG_PASSWORD)


@pytest.fixture
def bundle(alice) -> dict:
    response = post(SIGNIN, {"email": "alice@example.com", "password": STRONG_PASSWORD})
    assert response.status_code == 200
    return response.json()["data"]


# --- signup -----------------------------------------------------------------------------------


def test_signup_creates_the_user_and_returns_a_token_bundle():
    response = signup(email="  Alice@Example.COM ", name="Alice")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Account created"
    data = body["data"]
    assert set(data) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == settings.JWT_ACCESS_TTL_SECONDS
    user = User.objects.get()
    assert data["user"] == {
        "id": str(user.pk),
        "email": "alice@example.com",
        "name": "Alice",
        "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert user.check_password(STRONG_PASSWORD)
    assert user.password != STRONG_PASSWORD


def test_signup_tokens_carry_the_contract_claims_and_verify_like_any_token():
    data = signup(name="Alice").json()["data"]

    claims = verify_access_token(data["access_token"])
    assert jwt.get_unverified_header(data["access_token"])["alg"] == "HS256"
    assert claims["sub"] == data["user"]["id"]
    assert claims["email"] == "alice@example.com"
    assert claims["name"] == "Alice"
    assert claims["token_type"] == "access"
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == settings.JWT_ACCESS_TTL_SECONDS
    refresh = jwt.decode(data["refresh_token"], settings.BETTER_AUTH_SECRET, algorithms=["HS256"])
    assert refresh["token_type"] == "refresh"
    assert refresh["sub"] == data["user"]["id"]
    assert refresh["exp"] - refresh["iat"] == settings.JWT_REFRESH_TTL_SECONDS
    assert refresh["jti"] != claims["jti"]


def test_signup_access_token_works_on_the_task_api():
    data = signup().json()["data"]

    response = bearer(data["access_token"]).post("/api/tasks", {"title": "Mine"}, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["user_id"] == data["user"]["id"]
    assert Task.objects.get().user_id == data["user"]["id"]


def test_signup_works_with_a_trailing_slash():
    response = post(SIGNUP + "/", {"email": "bob@example.com", "password": STRONG_PASSWORD})

    assert response.status_code == 201
    assert User.objects.filter(email="bob@example.com").exists()


def test_signup_name_is_optional():
    response = signup()

    assert response.status_code == 201
    assert response.json()["data"]["user"]["name"] == ""


def test_signup_with_a_taken_email_in_another_case_is_409(alice):
    response = signup(email="ALICE@example.com")

    assert response.status_code == 409
    assert error(response) == {
        "code": "CONFLICT",
        "message": "An account with this email already exists.",
    }
    assert User.objects.count() == 1


def test_signup_with_a_lazily_created_users_email_is_409(client_for, new_user_id, make_token):
    bearer(make_token(new_user_id, email="lazy@example.com")).get(ME)

    response = signup(email="Lazy@example.com")

    assert response.status_code == 409
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901234", "alice@example.com"],
    ids=["too-short", "common", "numeric", "like-the-email"],
)
def test_signup_with_a_weak_password_is_422_on_password(password):
    response = signup(password=password)

    assert response.status_code == 422
    err = error(response)
    assert err["code"] == "VALIDATION_ERROR"
    assert list(err["details"]) == ["password"]
    assert err["details"]["password"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": STRONG_PASSWORD}, "email"),
        ({"email": "not-an-email", "password": STRONG_PASSWORD}, "email"),
        ({"email": 42, "password": STRONG_PASSWORD}, "email"),
        ({"email": "a@example.com"}, "password"),
        ({"email": "a@example.com", "password": 12345678901}, "password"),
        ({"email": "a@example.com", "password": "x" * 257}, "password"),
        ({"email": "a@example.com", "password": STRONG_PASSWORD, "name": "n" * 151}, "name"),
        ({"email": "a@example.com", "password": STRONG_PASSWORD, "name": "a\x00b"}, "name"),
    ],
)
def test_signup_with_an_invalid_field_is_422(body, field):
    response = post(SIGNUP, body)

    assert response.status_code == 422
    assert field in error(response)["details"]
    assert not User.objects.exists()


def test_signup_ignores_read_only_fields_in_the_body():
    wanted = uuid.uuid4()

    response = signup(id=str(wanted), is_staff=True, is_superuser=True)

    assert response.status_code == 201
    user = User.objects.get()
    assert user.pk != wanted
    assert user.is_staff is False
    assert user.is_superuser is False


def test_signup_with_a_body_that_is_not_json_is_415():
    response = APIClient().post(SIGNUP, "email=a@example.com", content_type="text/plain")

    assert response.status_code == 415
    assert error(response)["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_signup_with_get_is_405():
    response = APIClient().get(SIGNUP)

    assert response.status_code == 405
    assert error(response)["code"] == "METHOD_NOT_ALLOWED"


def test_production_settings_hash_passwords_with_argon2_first():
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_signup_with_production_hashers_stores_an_argon2_hash(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS

    assert signup().status_code == 201

    user = User.objects.get()
    assert user.password.startswith("argon2")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(STRONG_PASSWORD)


# --- signin -----------------------------------------------------------------------------------


def test_signin_returns_a_token_bundle_for_the_user(alice):
    response = post(SIGNIN, {"email": "ALICE@example.com", "password": STRONG_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Signed in"
    assert body["data"]["user"]["id"] == str(alice.pk)
    assert body["data"]["token_type"] == "Bearer"
    assert verify_access_token(body["data"]["access_token"])["sub"] == str(alice.pk)


def test_signin_wrong_password_and_unknown_email_get_the_same_401(alice):
    wrong = post(SIGNIN, {"email": "alice@example.com", "password": "not-the-password-1"})
    unknown = post(SIGNIN, {"email": "nobody@example.com", "password": STRONG_PASSWORD})

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == {
            "success": False,
            "error": {
                "code": "INVALID_CREDENTIALS",
                "message": "Invalid email or password.",
                "details": {"reason": "invalid_credentials"},
            },
        }
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signin_of_a_lazily_created_user_without_password_is_401(make_token, new_user_id):
    bearer(make_token(new_user_id, email="lazy@example.com")).get(ME)

    response = post(SIGNIN, {"email": "lazy@example.com", "password": ""})

    assert response.status_code == 422  # a blank password is not a password
    response = post(SIGNIN, {"email": "lazy@example.com", "password": STRONG_PASSWORD})
    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_CREDENTIALS"


def test_signin_of_a_disabled_user_is_401_account_disabled(alice):
    alice.is_active = False
    alice.save()

    response = post(SIGNIN, {"email": "alice@example.com", "password": STRONG_PASSWORD})

    assert response.status_code == 401
    assert error(response)["code"] == "ACCOUNT_DISABLED"
    assert not OutstandingToken.objects.exists()


def test_signin_ignores_an_authorization_header(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = post(SIGNIN, {"email": "alice@example.com", "password": STRONG_PASSWORD}, client)

    assert response.status_code == 200


def test_signin_unknown_email_costs_what_a_wrong_password_costs(settings, alice, monkeypatch):
    # Timing without a stopwatch (wall-clock tests flake under load): both failures must run
    # the production hasher (Argon2) exactly once, which is what the answer's time is made of.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    alice.set_password(STRONG_PASSWORD)
    alice.save()
    hashes = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify
    monkeypatch.setattr(
        Argon2PasswordHasher,
        "encode",
        lambda s, *a, **k: hashes.append(1) or real_encode(s, *a, **k),
    )
    monkeypatch.setattr(
        Argon2PasswordHasher,
        "verify",
        lambda s, *a, **k: hashes.append(1) or real_verify(s, *a, **k),
    )

    wrong_password = post(SIGNIN, {"email": "alice@example.com", "password": "wrong-password-1"})
    hashes_for_wrong_password = len(hashes)
    unknown_email = post(SIGNIN, {"email": "nobody@example.com", "password": "wrong-password-1"})
    hashes_for_unknown_email = len(hashes) - hashes_for_wrong_password

    assert hashes_for_wrong_password == hashes_for_unknown_email == 1
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()


# --- me ---------------------------------------------------------------------------------------


def test_me_returns_the_caller(bundle, alice):
    response = bearer(bundle["access_token"]).get(ME + "/")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "id": str(alice.pk),
            "email": "alice@example.com",
            "name": "Alice",
            "created_at": alice.created_at.isoformat().replace("+00:00", "Z"),
        },
        "message": "User retrieved",
    }


def test_me_without_a_token_is_401_auth_required():
    response = APIClient().get(ME)

    assert response.status_code == 401
    assert error(response)["code"] == "AUTH_REQUIRED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_refresh_token_is_401_invalid_token(bundle):
    response = bearer(bundle["refresh_token"]).get(ME)

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "A refresh token cannot be used as an access token.",
        "details": {"reason": "refresh_token"},
    }


def test_tasks_with_a_refresh_token_is_401_and_creates_nothing(bundle):
    response = bearer(bundle["refresh_token"]).post("/api/tasks", {"title": "x"}, format="json")

    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_TOKEN"
    assert not Task.objects.exists()


# --- refresh ----------------------------------------------------------------------------------


def test_refresh_returns_a_new_bundle_and_rotates_the_refresh_token(bundle, alice):
    response = post(REFRESH, {"refresh_token": bundle["refresh_token"]})

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Token refreshed"
    data = body["data"]
    assert data["user"]["id"] == str(alice.pk)
    assert data["refresh_token"] != bundle["refresh_token"]
    assert verify_access_token(data["access_token"])["sub"] == str(alice.pk)
    old_jti = jwt.decode(bundle["refresh_token"], options={"verify_signature": False})["jti"]
    assert BlacklistedToken.objects.filter(token__jti=old_jti).exists()


def test_refresh_with_a_used_refresh_token_is_401(bundle):
    assert post(REFRESH, {"refresh_token": bundle["refresh_token"]}).status_code == 200

    response = post(REFRESH, {"refresh_token": bundle["refresh_token"]})

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "This refresh token has been revoked.",
        "details": {"reason": "revoked"},
    }


def test_refresh_chain_keeps_working(bundle):
    token = bundle["refresh_token"]
    for _ in range(3):
        response = post(REFRESH + "/", {"refresh_token": token})
        assert response.status_code == 200
        token = response.json()["data"]["refresh_token"]

    assert BlacklistedToken.objects.count() == 3


def test_refresh_with_an_access_token_is_401_and_revokes_nothing(bundle):
    response = post(REFRESH, {"refresh_token": bundle["access_token"]})

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Not a refresh token.",
        "details": {"reason": "not_refresh_token"},
    }
    assert not BlacklistedToken.objects.exists()


def test_refresh_with_a_frontend_signed_access_token_is_401(alice):
    frontend_token = sign(access_claims(alice.pk, email="alice@example.com"))  # no jti, no type

    response = post(REFRESH, {"refresh_token": frontend_token})

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Token is missing the 'jti' claim.",
        "details": {"reason": "missing_claim"},
    }


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", ""],
    ids=["garbage", "three-dots", "blank"],
)
def test_refresh_with_a_malformed_token_is_rejected(token):
    response = post(REFRESH, {"refresh_token": token})

    assert response.status_code in (401, 422)
    assert error(response)["code"] == ("INVALID_TOKEN" if token else "VALIDATION_ERROR")


def test_refresh_with_a_token_signed_by_another_secret_is_401(bundle):
    claims = jwt.decode(bundle["refresh_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-1234", algorithm="HS256")

    response = post(REFRESH, {"refresh_token": forged})

    assert response.status_code == 401
    assert error(response)["details"] == {"reason": "bad_signature"}


def test_refresh_with_an_expired_refresh_token_is_401(bundle):
    claims = jwt.decode(bundle["refresh_token"], options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 3600
    expired = sign(claims)

    response = post(REFRESH, {"refresh_token": expired})

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Token has expired.",
        "details": {"reason": "expired"},
    }


def test_refresh_for_a_disabled_user_is_401_account_disabled(bundle, alice):
    alice.is_active = False
    alice.save()

    response = post(REFRESH, {"refresh_token": bundle["refresh_token"]})

    assert response.status_code == 401
    assert error(response)["code"] == "ACCOUNT_DISABLED"
    assert error(response)["details"] == {"reason": "account_disabled"}


def test_refresh_without_a_body_is_422():
    response = post(REFRESH, {})

    assert response.status_code == 422
    assert "refresh_token" in error(response)["details"]


# --- signout ----------------------------------------------------------------------------------


def test_signout_is_204_and_the_refresh_token_stops_working(bundle):
    response = post(SIGNOUT, {"refresh_token": bundle["refresh_token"]})

    assert response.status_code == 204
    assert response.content == b""
    refreshed = post(REFRESH, {"refresh_token": bundle["refresh_token"]})
    assert refreshed.status_code == 401
    assert error(refreshed)["code"] == "INVALID_TOKEN"


def test_signout_twice_is_401(bundle):
    post(SIGNOUT + "/", {"refresh_token": bundle["refresh_token"]})

    response = post(SIGNOUT, {"refresh_token": bundle["refresh_token"]})

    assert response.status_code == 401
    assert error(response)["details"] == {"reason": "revoked"}


def test_signout_leaves_other_sessions_working(alice):
    credentials = {"email": "alice@example.com", "password": STRONG_PASSWORD}
    first = post(SIGNIN, credentials).json()["data"]
    second = post(SIGNIN, credentials).json()["data"]

    post(SIGNOUT, {"refresh_token": first["refresh_token"]})

    assert post(REFRESH, {"refresh_token": second["refresh_token"]}).status_code == 200


def test_signout_with_an_access_token_is_401(bundle):
    response = post(SIGNOUT, {"refresh_token": bundle["access_token"]})

    assert response.status_code == 401
    assert error(response)["details"] == {"reason": "not_refresh_token"}
    assert not BlacklistedToken.objects.exists()


# --- issuer and audience ----------------------------------------------------------------------


def test_issued_tokens_carry_iss_and_aud_when_configured(settings, alice):
    settings.JWT_ISSUER = "https://auth.example.com"
    settings.JWT_AUDIENCE = "https://auth.example.com"

    data = post(SIGNIN, {"email": "alice@example.com", "password": STRONG_PASSWORD}).json()["data"]

    claims = verify_access_token(data["access_token"])
    assert claims["iss"] == "https://auth.example.com"
    assert claims["aud"] == "https://auth.example.com"
    assert bearer(data["access_token"]).get(ME).status_code == 200
    assert post(REFRESH, {"refresh_token": data["refresh_token"]}).status_code == 200


# --- races (PostgreSQL) -----------------------------------------------------------------------


def _concurrently(fn, count: int) -> list:
    return run_concurrently([fn] * count)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_succeed_once(postgres_only, alice):
    refresh_token = post(
        SIGNIN, {"email": "alice@example.com", "password": STRONG_PASSWORD}
    ).json()["data"]["refresh_token"]

    responses = _concurrently(lambda: post(REFRESH, {"refresh_token": refresh_token}), 6)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 401, 401, 401, 401, 401]
    assert BlacklistedToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_with_one_email_create_one_user(postgres_only):
    responses = _concurrently(lambda: signup(email="race@example.com"), 6)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409, 409, 409, 409]
    assert User.objects.filter(email="race@example.com").count() == 1
