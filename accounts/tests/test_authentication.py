"""Bearer JWT authentication through the real API: every rule of the contract."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from testing.auth import access_claims, sign

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks"
INVALID_SUBJECT = (
    "Token 'sub' claim must be a string of 1 to 255 characters without control characters "
    "or '/' (it is the user's id)."
)
NOT_ACCEPTED = (
    "Token algorithm is not accepted (accepted: HS256; EdDSA, ES256, RS256 from the JWKS)."
)


def _get(api_client, authorization: str | None = None, path: str = TASKS, **extra):
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return api_client.get(path, **extra)


def _assert_401(response, code: str, message: str, reason: str) -> None:
    """A 401 in the error envelope, saying why, with a Bearer challenge."""
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": {"code": code, "message": message, "details": {"reason": reason}},
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def _assert_invalid(response, message: str, reason: str) -> None:
    _assert_401(response, "INVALID_TOKEN", message, reason)


def _missing(claim: str) -> str:
    return f"Token is missing the '{claim}' claim."


# --- the Authorization header -------------------------------------------------------------------


def test_no_authorization_header_is_auth_required(api_client):
    response = _get(api_client)

    _assert_401(
        response, "AUTH_REQUIRED", "Authentication credentials were not provided.", "missing_token"
    )
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNzd29yZA==", "Token {token}", "JWT {token}", "Bearer{token}", "", "   "],
)
def test_a_scheme_other_than_bearer_is_auth_required(api_client, user, make_token, authorization):
    response = _get(api_client, authorization.format(token=make_token(user)))

    _assert_401(
        response, "AUTH_REQUIRED", "Authentication credentials were not provided.", "missing_token"
    )


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

    _assert_invalid(response, "Authorization header must be 'Bearer <token>'.", "malformed")


@pytest.mark.parametrize("token", ["abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9", "Bearer", "tökén"])
def test_a_malformed_token_is_invalid(api_client, token):
    response = _get(api_client, f"Bearer {token}")

    _assert_invalid(response, "Token is malformed.", "malformed")


def test_a_token_whose_header_names_no_algorithm_is_invalid(api_client):
    response = _get(api_client, "Bearer e30.e30.")  # {} . {} . no signature

    _assert_invalid(response, NOT_ACCEPTED, "algorithm_not_allowed")


def test_a_token_with_a_tampered_payload_is_invalid(api_client, user, make_token):
    header, _, signature = make_token(user).split(".")
    payload = jwt.utils.base64url_encode(b'{"sub":"%s","exp":9999999999}' % str(user.pk).encode())

    response = _get(api_client, f"Bearer {header}.{payload.decode()}.{signature}")

    _assert_invalid(response, "Token signature is invalid.", "bad_signature")


def test_an_oversized_token_is_invalid(api_client, user):
    token = sign(access_claims(user.pk, padding="x" * 9000))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token is too long.", "malformed")


@pytest.mark.parametrize("where", ["query", "cookie"])
def test_a_token_outside_the_authorization_header_is_ignored(api_client, user, make_token, where):
    token = make_token(user)
    if where == "cookie":
        api_client.cookies["access_token"] = token
        api_client.cookies["token"] = token
        response = _get(api_client)
    else:
        response = _get(api_client, path=f"{TASKS}?access_token={token}&token={token}&jwt={token}")

    _assert_401(
        response, "AUTH_REQUIRED", "Authentication credentials were not provided.", "missing_token"
    )


# --- signature and algorithm --------------------------------------------------------------------


def test_a_token_signed_with_another_secret_is_invalid(api_client, user):
    token = sign(access_claims(user.pk), key="some-other-secret-of-at-least-32-characters")

    _assert_invalid(
        _get(api_client, f"Bearer {token}"), "Token signature is invalid.", "bad_signature"
    )


def test_an_unsigned_alg_none_token_is_invalid(api_client, user):
    token = jwt.encode(access_claims(user.pk), None, algorithm="none")

    _assert_invalid(_get(api_client, f"Bearer {token}"), NOT_ACCEPTED, "algorithm_not_allowed")


@pytest.mark.filterwarnings("ignore:The HMAC key is")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_hs_algorithms_other_than_hs256_are_refused(api_client, user, algorithm):
    token = sign(access_claims(user.pk), algorithm=algorithm)

    _assert_invalid(_get(api_client, f"Bearer {token}"), NOT_ACCEPTED, "algorithm_not_allowed")


def test_an_asymmetric_token_is_refused_without_a_jwks(api_client, user, settings):
    settings.JWT_JWKS_URL = None
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(access_claims(user.pk), key, algorithm="RS256")

    _assert_invalid(
        _get(api_client, f"Bearer {token}"),
        "Token algorithm RS256 needs the issuer's public keys, and JWT_JWKS_URL is not set on "
        "this server (only HS256 tokens are accepted).",
        "algorithm_not_allowed",
    )


NOT_YET_VALID = "Token is not yet valid (nbf or iat is in the future)."


# --- time claims --------------------------------------------------------------------------------


def test_an_expired_token_beyond_the_leeway_is_invalid(api_client, user, settings):
    now = int(time.time())
    token = sign(access_claims(user.pk, iat=now - 600, exp=now - settings.JWT_LEEWAY_SECONDS - 5))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token has expired.", "expired")


def test_a_token_expired_within_the_leeway_is_accepted(api_client, user, settings):
    now = int(time.time())
    token = sign(access_claims(user.pk, iat=now - 600, exp=now - settings.JWT_LEEWAY_SECONDS + 10))

    assert _get(api_client, f"Bearer {token}").status_code == 200


def test_the_leeway_comes_from_settings(api_client, user, settings):
    settings.JWT_LEEWAY_SECONDS = 0
    token = sign(access_claims(user.pk, exp=int(time.time()) - 5))

    _assert_invalid(_get(api_client, f"Bearer {token}"), "Token has expired.", "expired")


def test_a_token_whose_nbf_is_in_the_future_is_invalid(api_client, user, settings):
    token = sign(access_claims(user.pk, nbf=int(time.time()) + settings.JWT_LEEWAY_SECONDS + 60))

    _assert_invalid(_get(api_client, f"Bearer {token}"), NOT_YET_VALID, "not_yet_valid")


def test_a_token_whose_nbf_is_within_the_leeway_is_accepted(api_client, user, settings):
    token = sign(access_claims(user.pk, nbf=int(time.time()) + settings.JWT_LEEWAY_SECONDS - 10))

    assert _get(api_client, f"Bearer {token}").status_code == 200


def test_a_token_issued_in_the_future_is_invalid(api_client, user, settings):
    token = sign(access_claims(user.pk, iat=int(time.time()) + settings.JWT_LEEWAY_SECONDS + 60))

    _assert_invalid(_get(api_client, f"Bearer {token}"), NOT_YET_VALID, "not_yet_valid")


@pytest.mark.parametrize("exp", ["soon", None], ids=["string", "missing"])
def test_a_token_without_a_numeric_exp_is_invalid(api_client, user, exp):
    claims = access_claims(user.pk, exp=None)
    if exp is not None:
        claims["exp"] = exp

    response = _get(api_client, f"Bearer {sign(claims)}")

    if exp is None:
        _assert_invalid(response, _missing("exp"), "missing_claim")
    else:
        _assert_invalid(
            response,
            "Token is malformed: Expiration Time claim (exp) must be an integer.",
            "malformed",
        )


# --- sub and token_type -------------------------------------------------------------------------


def test_a_token_without_sub_is_invalid(api_client):
    claims = access_claims("x", sub=None)

    _assert_invalid(_get(api_client, f"Bearer {sign(claims)}"), _missing("sub"), "missing_claim")


@pytest.mark.parametrize(
    "sub",
    ["", 123, 1.5, True, ["a"], {"id": "x"}, "a/b", "x" * 256, "tab\there", "\u0085"],
    ids=["empty", "int", "float", "bool", "list", "object", "slash", "256", "tab", "c1"],
)
def test_a_sub_that_cannot_be_a_user_id_is_invalid(api_client, sub):
    claims = {**access_claims("x"), "sub": sub}

    _assert_invalid(_get(api_client, f"Bearer {sign(claims)}"), INVALID_SUBJECT, "invalid_subject")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "sub",
    ["k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", "auth0|5f7c8ec7c33c6c004bbafe82", "1", "   ", "x" * 255],
    ids=["better-auth-default", "auth0", "digit", "blank", "255"],
)
def test_any_sub_a_user_id_may_be_is_that_users_id(api_client, sub):
    response = _get(api_client, f"Bearer {sign(access_claims(sub))}", path="/api/auth/me")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == sub
    assert User.objects.get().pk == sub


def test_a_uuid_sub_in_upper_case_is_the_same_user(api_client, user):
    token = sign(access_claims(str(user.pk).upper()))

    assert _get(api_client, f"Bearer {token}").status_code == 200
    assert User.objects.count() == 1


def test_other_spellings_of_a_uuid_are_other_ids(api_client, user):
    """Only the canonical text is a UUID: 32 bare hex digits are some issuer's own id."""
    bare = str(user.pk).replace("-", "")

    response = _get(api_client, f"Bearer {sign(access_claims(bare))}", path="/api/auth/me")

    assert response.json()["data"]["id"] == bare
    assert User.objects.count() == 2


def test_a_refresh_token_is_not_an_access_token(api_client, user):
    token = sign(access_claims(user.pk, token_type="refresh"))

    response = _get(api_client, f"Bearer {token}")

    _assert_invalid(response, "A refresh token cannot be used as an access token.", "refresh_token")


def test_a_token_typed_access_is_accepted(api_client, user):
    token = sign(access_claims(user.pk, token_type="access"))

    assert _get(api_client, f"Bearer {token}").status_code == 200


# --- iss and aud --------------------------------------------------------------------------------

ISSUER = "https://auth.example.com"
AUDIENCE = "https://api.example.com"


@pytest.mark.parametrize(
    ("claims", "message", "reason"),
    [
        ({}, "Token is missing the 'iss' claim.", "missing_claim"),
        (
            {"iss": "https://evil.example.com"},
            "Token has the wrong issuer: expected 'https://auth.example.com', "
            "got 'https://evil.example.com'.",
            "wrong_issuer",
        ),
        (
            {"iss": ISSUER + "/"},
            "Token has the wrong issuer: expected 'https://auth.example.com', "
            "got 'https://auth.example.com/'.",
            "wrong_issuer",
        ),
        ({"iss": ISSUER}, None, None),
    ],
    ids=["missing", "wrong", "trailing-slash", "right"],
)
def test_iss_is_checked_when_jwt_issuer_is_set(api_client, user, settings, claims, message, reason):
    settings.JWT_ISSUER = ISSUER

    response = _get(api_client, f"Bearer {sign(access_claims(user.pk, **claims))}")

    if message is None:
        assert response.status_code == 200
    else:
        _assert_invalid(response, message, reason)


WRONG_AUDIENCE = "Token has the wrong audience: expected 'https://api.example.com', got "


@pytest.mark.parametrize(
    ("claims", "message", "reason"),
    [
        ({}, "Token is missing the 'aud' claim.", "missing_claim"),
        (
            {"aud": "https://other.example.com"},
            WRONG_AUDIENCE + "'https://other.example.com'.",
            "wrong_audience",
        ),
        (
            {"aud": ["https://other.example.com"]},
            WRONG_AUDIENCE + "['https://other.example.com'].",
            "wrong_audience",
        ),
        ({"aud": AUDIENCE}, None, None),
        ({"aud": ["https://other.example.com", AUDIENCE]}, None, None),
    ],
    ids=["missing", "wrong", "wrong-list", "right", "right-in-list"],
)
def test_aud_is_checked_when_jwt_audience_is_set(
    api_client, user, settings, claims, message, reason
):
    settings.JWT_AUDIENCE = AUDIENCE

    response = _get(api_client, f"Bearer {sign(access_claims(user.pk, **claims))}")

    if message is None:
        assert response.status_code == 200
    else:
        _assert_invalid(response, message, reason)


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

    _assert_401(response, "ACCOUNT_DISABLED", "This account has been disabled.", "account_disabled")
    user.refresh_from_db()
    assert user.is_active is False


def test_an_inactive_user_cannot_write(api_client, user, make_token):
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post(
        TASKS, {"title": "x"}, format="json", HTTP_AUTHORIZATION=f"Bearer {make_token(user)}"
    )

    assert response.status_code == 401
    assert not user.tasks.exists()
