"""Tokens under attack: one catalogue of forged, stale, misplaced and malformed credentials.

Every attack asks for the victim's task list and must end the same way: 401 with the error
envelope (INVALID_TOKEN, or AUTH_REQUIRED where no token reaches the Authorization header) and a
`details.reason` from the contract's vocabulary, a `WWW-Authenticate: Bearer` challenge
(`error="invalid_token"` for a bad token), nothing of the victim's in the body, and no user
created from the forged claims. The finer points of each
rule (leeway arithmetic, iss/aud, JWKS caching) are in test_authentication.py and test_jwks.py.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from accounts.models import User
from accounts.services import tokens_for_user
from api.errors import AUTH_REASONS
from tasks.factories import TaskFactory
from testing.auth import access_claims, sign
from testing.jwks import JWKSServer
from testing.live_server import live_server_process

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks"
SECRET_TITLE = "The victim's secret plan"


# --- forging tools ------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value) -> str:
    return b64url(json.dumps(value).encode())


def forge(header: dict, claims: dict, signature: str = "") -> str:
    """A token with exactly this header and payload, and any signature (none by default)."""
    return f"{segment(header)}.{segment(claims)}.{signature}"


def hs256(header: dict, claims: dict, secret: bytes) -> str:
    """HS256 with any bytes as the secret (PyJWT refuses to use a PEM public key as one)."""
    signing_input = f"{segment({'typ': 'JWT', **header, 'alg': 'HS256'})}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def reencode(token: str, *, header: dict | None = None, claims: dict | None = None) -> str:
    """The token with its header or payload changed and the original signature kept."""
    head, body, signature = token.split(".")
    if header is not None:
        head = segment({**jwt.get_unverified_header(token), **header})
    if claims is not None:
        body = segment({**jwt.decode(token, options={"verify_signature": False}), **claims})
    return f"{head}.{body}.{signature}"


# --- the victim and what every refusal looks like ---------------------------------------------


@pytest.fixture
def victim(db):
    user = User.objects.create_user(email="victim@example.com", password="victim-Pass-123")
    TaskFactory(user=user, title=SECRET_TITLE)
    return user


@pytest.fixture
def intruder(db):
    return User.objects.create_user(email="intruder@example.com", password="intruder-Pass-123")


@pytest.fixture(autouse=True)
def _nobody_is_created(victim, intruder):
    """No attack makes a user appear (lazy users come only from valid tokens)."""
    before = set(User.objects.values_list("pk", flat=True))
    yield
    assert set(User.objects.values_list("pk", flat=True)) == before


def get_tasks(api_client, authorization: str | None = None, path: str = TASKS, **extra):
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return api_client.get(path, **extra)


def assert_refused(response, code: str = "INVALID_TOKEN", reason: str | None = None) -> None:
    """A 401 in the envelope; `reason` is checked when given, else it must be a known one."""
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    message, details = body["error"]["message"], body["error"]["details"]
    assert body == {
        "success": False,
        "error": {"code": code, "message": message, "details": details},
    }
    assert isinstance(message, str) and message
    assert details["reason"] in AUTH_REASONS
    if reason is not None:
        assert details == {"reason": reason}
    challenge = response["WWW-Authenticate"]
    if code == "INVALID_TOKEN":
        assert challenge == 'Bearer realm="api", error="invalid_token"'
    else:
        assert challenge == 'Bearer realm="api"'
    assert SECRET_TITLE not in response.content.decode()


def test_the_victims_own_token_works(api_client, victim):
    """The control: everything below differs from this request in the token alone."""
    response = get_tasks(api_client, f"Bearer {sign(access_claims(victim.pk))}")

    assert response.status_code == 200
    assert [task["title"] for task in response.json()["data"]] == [SECRET_TITLE]


# --- where the token is sent --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["access_token", "token", "jwt", "auth", "authorization"])
def test_a_token_in_the_query_string_only_is_auth_required(api_client, victim, name):
    token = sign(access_claims(victim.pk))

    response = get_tasks(api_client, path=f"{TASKS}?{name}={token}")

    assert_refused(response, "AUTH_REQUIRED", "missing_token")


@pytest.mark.parametrize("name", ["access_token", "token", "jwt", "Authorization", "sessionid"])
def test_a_token_in_a_cookie_only_is_auth_required(api_client, victim, name):
    api_client.cookies[name] = sign(access_claims(victim.pk))

    assert_refused(get_tasks(api_client), "AUTH_REQUIRED", "missing_token")


@pytest.mark.parametrize("header", ["HTTP_X_ACCESS_TOKEN", "HTTP_X_AUTH_TOKEN", "HTTP_TOKEN"])
def test_a_token_in_another_header_is_auth_required(api_client, victim, header):
    token = sign(access_claims(victim.pk))

    response = get_tasks(api_client, **{header: f"Bearer {token}"})

    assert_refused(response, "AUTH_REQUIRED", "missing_token")


# --- the Authorization header's shape -----------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["Bearer", "Bearer ", "Bearer {t} {t}", "Bearer {t},{t}", "Bearer {a} {b}", "Bearer {t} x"],
    ids=["no-token", "blank-token", "two-tokens", "comma-list", "space-inside", "trailing-word"],
)
def test_a_malformed_bearer_header_is_invalid_token(api_client, victim, template):
    token = sign(access_claims(victim.pk))
    # Spaces between the scheme and the token are RFC 6750's `1*SP`, so they are fine
    # (test_authentication.py); a space inside the token splits it in two.
    authorization = template.format(t=token, a=token[:20], b=token[20:])

    assert_refused(get_tasks(api_client, authorization), reason="malformed")


def test_a_100_kb_token_is_invalid_token(api_client, victim):
    token = sign(access_claims(victim.pk, padding="x" * 100 * 1024))

    assert_refused(get_tasks(api_client, f"Bearer {token}"), reason="malformed")


def test_a_100_kb_token_over_http_is_a_4xx_from_the_server(victim, postgres_only):
    # Over a socket: the HTTP server (its header limits) or the app refuses it, never a 5xx.
    with live_server_process() as server:
        token = jwt.encode({"sub": str(victim.pk), "pad": "x" * 100 * 1024}, server.auth_secret)

        response = requests.get(
            f"{server.url}{TASKS}", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert 400 <= response.status_code < 500
        assert SECRET_TITLE not in response.text
        assert requests.get(f"{server.url}/api/health", timeout=5).status_code == 200


# --- algorithm and signature --------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"], ids=["unsigned", "junk-signature"])
@pytest.mark.parametrize("with_jwks", [False, True], ids=["shared-secret", "jwks-configured"])
def test_alg_none_in_any_casing_is_invalid(api_client, victim, request, alg, signature, with_jwks):
    if with_jwks:
        request.getfixturevalue("jwks_settings")
    token = forge({"alg": alg, "typ": "JWT"}, access_claims(victim.pk), signature)

    assert_refused(get_tasks(api_client, f"Bearer {token}"), reason="algorithm_not_allowed")


@pytest.mark.parametrize("alg", [["HS256"], {"HS256": True}, 256, None, ""])
def test_an_alg_that_is_not_an_accepted_name_is_invalid_not_a_500(api_client, victim, alg):
    token = hs256({}, access_claims(victim.pk), settings.BETTER_AUTH_SECRET.encode())

    response = get_tasks(api_client, f"Bearer {reencode(token, header={'alg': alg})}")

    # A list or an object here was a 500 (unhashable) before the fix.
    assert_refused(response, reason="algorithm_not_allowed")


@pytest.mark.parametrize(
    "secret",
    ["another-secret-of-the-same-length-and-quite-random!", "DJANGO_SECRET_KEY", ""],
    ids=["random", "djangos-secret-key", "empty"],
)
def test_hs256_signed_with_the_wrong_secret_is_invalid(api_client, victim, secret):
    secret = settings.SECRET_KEY if secret == "DJANGO_SECRET_KEY" else secret
    token = hs256({}, access_claims(victim.pk), secret.encode())

    assert_refused(get_tasks(api_client, f"Bearer {token}"), reason="bad_signature")


def _public_key_forms(key) -> dict[str, bytes]:
    """The public key as an attacker could find it published, each usable as an HMAC secret."""
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = key.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk = key.jwk()
    return {
        "pem": pem,
        "pem-stripped": pem.strip(),
        "der": der,
        "jwk-json": json.dumps(jwk).encode(),
        "jwk-json-compact": json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode(),
        "jwks-document": json.dumps({"keys": [jwk]}).encode(),
        "jwk-key-material": (jwk.get("n") or jwk["x"]).encode(),
    }


@pytest.mark.parametrize("key_alg", ["RS256", "ES256", "EdDSA"])
def test_hs256_signed_with_the_jwks_public_key_is_invalid(
    api_client, victim, make_key, jwks_server, jwks_settings, key_alg
):
    key = make_key(key_alg)
    jwks_server.publish(key)

    for form, secret in _public_key_forms(key).items():
        for header in ({"kid": key.kid}, {}):
            token = hs256(header, access_claims(victim.pk), secret)
            response = get_tasks(api_client, f"Bearer {token}")
            assert_refused(response, reason="bad_signature")
            assert response.json()["error"]["message"] == "Token signature is invalid.", form
    assert jwks_server.fetches == 0  # HS256 is checked with the shared secret, never a JWK


def test_an_asymmetric_token_relabelled_with_another_alg_is_invalid(
    api_client, victim, make_key, jwks_server, jwks_settings
):
    key = make_key("EdDSA")
    jwks_server.publish(key)
    token = key.sign(access_claims(victim.pk))
    assert get_tasks(api_client, f"Bearer {token}").status_code == 200  # genuine: accepted

    for alg in ("ES256", "RS256", "HS256", "none"):
        assert_refused(get_tasks(api_client, f"Bearer {reencode(token, header={'alg': alg})}"))


# --- tampering: header or payload re-encoded without re-signing --------------------------------


@pytest.mark.parametrize(
    "header",
    [{"kid": "other"}, {"typ": "at+jwt"}, {"alg": "HS512"}, {"cty": "JWT"}, {"x": 1}],
    ids=["kid", "typ", "alg", "cty", "extra"],
)
def test_a_tampered_header_is_invalid(api_client, victim, header):
    token = sign(access_claims(victim.pk))

    assert_refused(get_tasks(api_client, f"Bearer {reencode(token, header=header)}"))


def test_a_payload_switched_to_another_user_is_invalid(api_client, victim, intruder):
    token = sign(access_claims(intruder.pk))

    forged = reencode(token, claims={"sub": str(victim.pk)})

    assert_refused(get_tasks(api_client, f"Bearer {forged}"), reason="bad_signature")


def test_an_expired_payload_given_a_new_exp_is_invalid(api_client, victim):
    token = sign(access_claims(victim.pk, exp=int(time.time()) - 3600))

    forged = reencode(token, claims={"exp": int(time.time()) + 3600})

    assert_refused(get_tasks(api_client, f"Bearer {forged}"), reason="bad_signature")


def test_a_refresh_token_relabelled_as_access_is_invalid(api_client, victim):
    refresh = tokens_for_user(user=victim)["refresh_token"]

    forged = reencode(refresh, claims={"token_type": "access"})

    assert_refused(get_tasks(api_client, f"Bearer {forged}"), reason="bad_signature")


def test_a_signature_taken_from_another_token_is_invalid(api_client, victim, intruder):
    theirs = sign(access_claims(intruder.pk)).split(".")[2]
    head, body, _ = sign(access_claims(victim.pk)).split(".")

    assert_refused(get_tasks(api_client, f"Bearer {head}.{body}.{theirs}"), reason="bad_signature")


def test_a_stripped_signature_is_invalid(api_client, victim):
    head, body, _ = sign(access_claims(victim.pk)).split(".")

    assert_refused(get_tasks(api_client, f"Bearer {head}.{body}."), reason="bad_signature")


# --- time claims --------------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    "claims",
    [
        lambda: {"exp": _now() - settings.JWT_LEEWAY_SECONDS - 5},
        lambda: {"iat": _now() - 7200, "exp": _now() - 3600},
        lambda: {"nbf": _now() + settings.JWT_LEEWAY_SECONDS + 60},
        lambda: {"exp": None},
        lambda: {"exp": "9999999999"},
        lambda: {"exp": [9999999999]},
    ],
    ids=["expired", "expired-an-hour-ago", "nbf-future", "no-exp", "exp-string", "exp-list"],
)
def test_a_token_outside_its_lifetime_is_invalid(api_client, victim, claims, request):
    token = sign(access_claims(victim.pk, **claims()))
    reason = {"nbf-future": "not_yet_valid", "no-exp": "missing_claim"}.get(
        request.node.callspec.id,
        "expired" if "expired" in request.node.callspec.id else "malformed",
    )

    assert_refused(get_tasks(api_client, f"Bearer {token}"), reason=reason)


# --- sub ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "reason"),
    [
        (None, "missing_claim"),
        ("", "invalid_subject"),
        (123, "invalid_subject"),
        (1.5, "invalid_subject"),
        (True, "invalid_subject"),
        (["sub"], "invalid_subject"),
        ({"id": "x"}, "invalid_subject"),
        ("../victim", "invalid_subject"),
        ("victim/../admin", "invalid_subject"),
        ("a" * 256, "invalid_subject"),
        ("line\nbreak", "invalid_subject"),
        ("nul\x00", "invalid_subject"),
        ("del\x7f", "invalid_subject"),
        ("c1\x85", "invalid_subject"),
        ("lone\ud800", "invalid_subject"),
    ],
    ids=[
        "missing",
        "empty",
        "int",
        "float",
        "bool",
        "list",
        "object",
        "slash",
        "path",
        "256-characters",
        "newline",
        "nul",
        "del",
        "c1-control",
        "lone-surrogate",
    ],
)
def test_a_sub_that_cannot_be_a_user_id_is_invalid_not_a_500(api_client, victim, sub, reason):
    claims = access_claims(victim.pk)
    claims.pop("sub")
    if sub is not None:
        claims["sub"] = sub

    assert_refused(get_tasks(api_client, f"Bearer {sign(claims)}"), reason=reason)


# --- refresh tokens -----------------------------------------------------------------------------


def test_a_real_refresh_token_is_not_an_access_token(api_client, victim):
    refresh = tokens_for_user(user=victim)["refresh_token"]

    assert_refused(get_tasks(api_client, f"Bearer {refresh}"), reason="refresh_token")


@pytest.mark.parametrize("token_type", ["refresh", "Refresh", "ACCESS", "", ["access"], None])
def test_any_token_type_but_access_is_refused(api_client, victim, token_type):
    claims = {**access_claims(victim.pk), "token_type": token_type}

    assert_refused(get_tasks(api_client, f"Bearer {sign(claims)}"), reason="refresh_token")


# --- kid, jku, x5u: nothing in a token chooses where keys come from ----------------------------

HOSTILE_KIDS = [
    "../../etc/passwd",
    "../../../../../../dev/null",
    "' OR 1=1 --",
    '"; DROP TABLE accounts_user; --',
    "%2e%2e%2fjwks",
    "http://127.0.0.1:1/jwks",
    "kid\x00",
    "k" * 4000,
]


@pytest.mark.parametrize("kid", HOSTILE_KIDS, ids=lambda kid: repr(kid)[:24])
def test_a_kid_with_path_or_sql_characters_is_invalid(
    api_client, victim, make_key, jwks_server, jwks_settings, kid
):
    issuer_key, attacker_key = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(issuer_key)

    asymmetric = attacker_key.sign(access_claims(victim.pk), kid=kid)
    shared = hs256({"kid": kid}, access_claims(victim.pk), b"not-our-secret-but-long-enough!!")

    for token in (asymmetric, shared):
        assert_refused(get_tasks(api_client, f"Bearer {token}"))
    # At most the configured URL was fetched (the unknown kid), and the kid was never in it.
    assert set(jwks_server.requests) <= {f"{jwks_server.prefix}/jwks"}
    assert jwks_server.fetches <= 1


@pytest.fixture
def attacker_server():
    """The attacker's own HTTP server: it would serve their key, and records every hit."""
    server = JWKSServer()
    yield server
    server.stop()


@pytest.mark.parametrize("header", ["jku", "x5u"])
@pytest.mark.parametrize("use_issuer_kid", [False, True], ids=["attacker-kid", "issuer-kid"])
def test_a_jku_or_x5u_url_is_never_contacted(
    api_client,
    victim,
    make_key,
    jwks_server,
    jwks_settings,
    attacker_server,
    header,
    use_issuer_kid,
):
    issuer_key, attacker_key = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(issuer_key)
    attacker_server.publish(attacker_key)
    kid = issuer_key.kid if use_issuer_kid else attacker_key.kid
    url = attacker_server.url if header == "jku" else f"{attacker_server.base_url}/cert.pem"

    token = attacker_key.sign(access_claims(victim.pk), kid=kid, **{header: url})

    assert_refused(get_tasks(api_client, f"Bearer {token}"))
    assert attacker_server.requests == []


@pytest.mark.parametrize("header", ["jku", "x5u"])
def test_a_jku_or_x5u_url_is_never_contacted_without_a_jwks(
    api_client, victim, make_key, attacker_server, header
):
    attacker_key = make_key("EdDSA")
    attacker_server.publish(attacker_key)
    hs_token = hs256({header: attacker_server.url}, access_claims(victim.pk), b"x" * 32)
    asymmetric = attacker_key.sign(access_claims(victim.pk), **{header: attacker_server.url})

    for token in (hs_token, asymmetric):
        assert_refused(get_tasks(api_client, f"Bearer {token}"))
    assert attacker_server.requests == []


def test_a_fresh_sub_in_a_forged_token_creates_nobody(api_client, victim):
    """Lazy users are the one place a token writes: a forged one must not get that far."""
    new_id = uuid.uuid4()
    token = hs256({}, access_claims(new_id), b"not-our-secret-but-long-enough!!")

    assert_refused(get_tasks(api_client, f"Bearer {token}"), reason="bad_signature")
    assert not User.objects.filter(pk=new_id).exists()
