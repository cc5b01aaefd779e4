"""Bearer JWT authentication through the real API: every rule of the contract."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from testing.auth import access_claims, sign

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks"
SUB_MUST_BE_UUID = "Token 'sub' claim must be a UUID (the user's id)."
MISSING_CLAIM = "Token is missing a required claim."


def _get(api_client, authorization: str | None = None, path: str = TASKS, **extra):
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return api_client.get(path, **extra)


def _assert_401(response, code: str, message: str) -> None:
    """A 401 in the error envelope with a Bearer challenge."""
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": {"code": code, "message": message}}
    assert response["WWW-Authenticate"].startswith("Bearer")


def _assert_invalid(response, message: str) -> None:
    _assert_401(response, "INVALID_TOKEN", message)


# --- the Authorization header -------------------------------------------------------------------


def test_no_authorization_header_is_auth_required(api_client):
    response = _get(api_client)

    _assert_401(response, "AUTH_REQUIRED", "Authentication credentials were not provided.")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNzd29yZA==", "Token {token}", "JWT {token}", "Bearer{token}", "", "   "],
)
def test_a_scheme_other_than_bearer_is_auth_required(api_client, user, make_token, authorization):
    response = _get(api_client, authorization.format(token=make_token(user)))

    _assert_401(response, "AUTH_REQUIRED", "Authentication credentials were not provided.")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(api_client, user, make_token, scheme):
    response = _get(api_client, f"{scheme} {make_token(user)}")

    assert response.status_code == 200


def test_extra_whitespace_between_scheme_and_token_is_accepted(api_client, user, make_token):
    response = _get(api_client, f"Bearer   {make_token(user)}  ")

    assert response.status_code == 200


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer  ", "Bearer {token} {token}"])
def test_bearer_without_exactly_one_token_is_invalid(api_client, user, make_token, authorization):
    response = _get(api_client, authorization.format(token=make_token(user)))

    _assert_invalid(response, "Authorization header must be 'Bearer <token>'.")


@pytest.mark.parametrize("token", ["abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9", "Bearer", "tökén"])
def test_a_malformed_token_is_invalid(api_client, token):
    response = _get(api_client, f"Bearer {token}")

    _assert_invalid(response, "Token is malformed.")


def test_a_token_whose_header_names_no_algorithm_is_invalid(api_client):
    response = _get(api_client, "Bearer e30.e30.")  # {} . {} . no signature

    _assert_invalid(response, "Token algorithm is not accepted.")


def test_a_token_with_a_tampered_payload_is_invalid(api_client, user, make_token):
    header, _, signature = make_token(user).split(".")
    payload = jwt.utils.base64url_encode(b'{"sub":"%s","exp":9999999999}' % str(user.pk).encode())

    response = _get(api_client, f"Bearer {header}.{payload.decode()}.{signature}")

    _assert_invalid(response, "Token signature is invalid.")


def test_an_oversized_token_is_invalid(api_client, user):
    token = sign(access_claims(user.pk, padding="x" * 9000))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token is too long.")


@pytest.mark.parametrize("where", ["query", "cookie"])
def test_a_token_outside_the_authorization_header_is_ignored(api_client, user, make_token, where):
    token = make_token(user)
    if where == "cookie":
        api_client.cookies["access_token"] = token
        api_client.cookies["token"] = token
        response = _get(api_client)
    else:
        response = _get(api_client, path=f"{TASKS}?access_token={token}&token={token}&jwt={token}")

    _assert_401(response, "AUTH_REQUIRED", "Authentication credentials were not provided.")


# --- signature and algorithm --------------------------------------------------------------------


def test_a_token_signed_with_another_secret_is_invalid(api_client, user):
    token = sign(access_claims(user.pk), key="some-other-secret-of-at-least-32-characters")

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token signature is invalid.")


def test_an_unsigned_alg_none_token_is_invalid(api_client, user):
    token = jwt.encode(access_claims(user.pk), None, algorithm="none")

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token algorithm is not accepted.")


@pytest.mark.filterwarnings("ignore:The HMAC key is")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_hs_algorithms_other_than_hs256_are_refused(api_client, user, algorithm):
    token = sign(access_claims(user.pk), algorithm=algorithm)

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token algorithm is not accepted.")


def test_an_asymmetric_token_is_refused_without_a_jwks(api_client, user, settings):
    settings.JWT_JWKS_URL = None
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(access_claims(user.pk), key, algorithm="RS256")

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token algorithm is not accepted.")


# --- time claims --------------------------------------------------------------------------------


def test_an_expired_token_beyond_the_leeway_is_invalid(api_client, user, settings):
    now = int(time.time())
    token = sign(access_claims(user.pk, iat=now - 600, exp=now - settings.JWT_LEEWAY_SECONDS - 5))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token has expired.")


def test_a_token_expired_within_the_leeway_is_accepted(api_client, user, settings):
    now = int(time.time())
    token = sign(access_claims(user.pk, iat=now - 600, exp=now - settings.JWT_LEEWAY_SECONDS + 10))

    assert _get(api_client, f"Bearer {token}").status_code == 200


def test_the_leeway_comes_from_settings(api_client, user, settings):
    settings.JWT_LEEWAY_SECONDS = 0
    token = sign(access_claims(user.pk, exp=int(time.time()) - 5))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token has expired.")


def test_a_token_whose_nbf_is_in_the_future_is_invalid(api_client, user, settings):
    token = sign(access_claims(user.pk, nbf=int(time.time()) + settings.JWT_LEEWAY_SECONDS + 60))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token is not yet valid.")


def test_a_token_whose_nbf_is_within_the_leeway_is_accepted(api_client, user, settings):
    token = sign(access_claims(user.pk, nbf=int(time.time()) + settings.JWT_LEEWAY_SECONDS - 10))

    assert _get(api_client, f"Bearer {token}").status_code == 200


def test_a_token_issued_in_the_future_is_invalid(api_client, user, settings):
    token = sign(access_claims(user.pk, iat=int(time.time()) + settings.JWT_LEEWAY_SECONDS + 60))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token is not yet valid.")


@pytest.mark.parametrize("exp", ["soon", None], ids=["string", "missing"])
def test_a_token_without_a_numeric_exp_is_invalid(api_client, user, exp):
    claims = access_claims(user.pk, exp=None)
    if exp is not None:
        claims["exp"] = exp

    response = _get(api_client, f"Bearer {sign(claims)}")

    _assert_invalid(response, MISSING_CLAIM if exp is None else "Token is invalid.")


# --- sub and token_type -------------------------------------------------------------------------


def test_a_token_without_sub_is_invalid(api_client):
    claims = access_claims("x", sub=None)

    _assert_invalid(_get(api_client, f"Bearer {sign(claims)}"), MISSING_CLAIM)


@pytest.mark.parametrize(
    "sub",
    ["", "   ", "not-a-uuid", "123", 123, 1.5, True, ["a"], {"id": "x"}],
    ids=["empty", "blank", "word", "digits", "int", "float", "bool", "list", "object"],
)
def test_a_sub_that_is_not_a_uuid_string_is_invalid(api_client, sub):
    claims = {**access_claims("x"), "sub": sub}

    _assert_invalid(_get(api_client, f"Bearer {sign(claims)}"), SUB_MUST_BE_UUID)
    assert not User.objects.exists()


def test_a_sub_in_upper_case_is_the_same_user(api_client, user):
    token = sign(access_claims(str(user.pk).upper()))

    assert _get(api_client, f"Bearer {token}").status_code == 200
    assert User.objects.count() == 1


def test_a_refresh_token_is_not_an_access_token(api_client, user):
    token = sign(access_claims(user.pk, token_type="refresh"))

    response = _get(api_client, f"Bearer {token}")

    _assert_invalid(response, "A refresh token cannot be used as an access token.")


def test_a_token_typed_access_is_accepted(api_client, user):
    token = sign(access_claims(user.pk, token_type="access"))

    assert _get(api_client, f"Bearer {token}").status_code == 200


# --- iss and aud --------------------------------------------------------------------------------

ISSUER = "https://auth.example.com"
AUDIENCE = "https://api.example.com"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({}, MISSING_CLAIM),
        ({"iss": "https://evil.example.com"}, "Token has the wrong issuer."),
        ({"iss": ISSUER}, None),
    ],
    ids=["missing", "wrong", "right"],
)
def test_iss_is_checked_when_jwt_issuer_is_set(api_client, user, settings, claims, message):
    settings.JWT_ISSUER = ISSUER

    response = _get(api_client, f"Bearer {sign(access_claims(user.pk, **claims))}")

    if message is None:
        assert response.status_code == 200
    else:
        _assert_invalid(response, message)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({}, MISSING_CLAIM),
        ({"aud": "https://other.example.com"}, "Token has the wrong audience."),
        ({"aud": ["https://other.example.com"]}, "Token has the wrong audience."),
        ({"aud": AUDIENCE}, None),
        ({"aud": ["https://other.example.com", AUDIENCE]}, None),
    ],
    ids=["missing", "wrong", "wrong-list", "right", "right-in-list"],
)
def test_aud_is_checked_when_jwt_audience_is_set(api_client, user, settings, claims, message):
    settings.JWT_AUDIENCE = AUDIENCE

    response = _get(api_client, f"Bearer {sign(access_claims(user.pk, **claims))}")

    if message is None:
        assert response.status_code == 200
    else:
        _assert_invalid(response, message)


def test_iss_and_aud_are_not_checked_when_unset(api_client, user, settings):
    settings.JWT_ISSUER = None
    settings.JWT_AUDIENCE = None
    token = sign(access_claims(user.pk, iss="anyone", aud="anything"))

    assert _get(api_client, f"Bearer {token}").status_code == 200


# --- inactive users -----------------------------------------------------------------------------


def test_an_inactive_user_is_account_disabled(api_client, user, make_token):
    user.is_active = False
    user.save()

    response = _get(api_client, f"Bearer {make_token(user)}")

    _assert_401(response, "ACCOUNT_DISABLED", "This account has been disabled.")
    user.refresh_from_db()
    assert user.is_active is False


def test_an_inactive_user_cannot_write(api_client, user, make_token):
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post(
        TASKS, {"title": "x"}, format="json", HTTP_AUTHORIZATION=f"Bearer {make_token(user)}"
    )

    assert response.status_code == 401
    assert not user.tasks.exists()
