"""Asymmetric tokens verified with keys from a real JWKS endpoint (accounts/jwks.py)."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from accounts.jwks import jwks_signing_key
from accounts.models import User
from testing.auth import access_claims, bearer
from testing.jwks import JWKSServer

pytestmark = pytest.mark.django_db

ME = "/api/auth/me"


def get_me(token: str):
    return bearer(token).get(ME)


def error(response) -> dict:
    return response.json()["error"]


def claims(user_id=None, **overrides) -> dict:
    return access_claims(user_id or uuid.uuid4(), **overrides)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_by_hand(payload: dict, secret: bytes, **header) -> str:
    """HS256 signed with any bytes (PyJWT itself refuses a PEM public key as an HMAC secret)."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", **header}).encode())
    body = b64url(json.dumps(payload).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_token_signed_with_a_published_key_is_accepted(alg, make_key, jwks_server, jwks_settings):
    key = make_key(alg)
    jwks_server.publish(key)
    user_id = uuid.uuid4()

    response = get_me(key.sign(claims(user_id, email="Jwks@Example.com", name="Jay")))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(user_id)
    user = User.objects.get(pk=user_id)
    assert (user.email, user.name) == ("jwks@example.com", "Jay")


def test_keys_are_cached_across_requests(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    for _ in range(5):
        assert get_me(key.sign(claims())).status_code == 200

    assert jwks_server.fetches == 1


def test_cached_keys_keep_working_while_the_issuer_is_down(make_key, jwks_server, jwks_settings):
    key = make_key("ES256")
    jwks_server.publish(key)
    assert get_me(key.sign(claims())).status_code == 200

    jwks_server.stop()

    assert get_me(key.sign(claims())).status_code == 200


def test_the_key_is_picked_by_kid_among_several(make_key, jwks_server, jwks_settings):
    keys = [make_key("EdDSA"), make_key("ES256"), make_key("RS256")]
    jwks_server.publish(*keys)

    for key in keys:
        assert get_me(key.sign(claims())).status_code == 200
    assert jwks_server.fetches == 1


def test_issuer_and_audience_are_checked_for_jwks_tokens(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_ISSUER = "https://auth.example.com"
    jwks_settings.JWT_AUDIENCE = "https://auth.example.com"
    key = make_key("EdDSA")
    jwks_server.publish(key)
    good = {"iss": "https://auth.example.com", "aud": "https://auth.example.com"}

    assert get_me(key.sign(claims(**good))).status_code == 200
    wrong_iss = get_me(key.sign(claims(**{**good, "iss": "https://evil.example.com"})))
    wrong_aud = get_me(key.sign(claims(**{**good, "aud": "https://other.example.com"})))
    assert error(wrong_iss) == {"code": "INVALID_TOKEN", "message": "Token has the wrong issuer."}
    assert error(wrong_aud) == {
        "code": "INVALID_TOKEN",
        "message": "Token has the wrong audience.",
    }


def test_an_expired_jwks_token_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)
    now = int(time.time())

    response = get_me(key.sign(claims(iat=now - 600, exp=now - 300)))

    assert response.status_code == 401
    assert error(response) == {"code": "INVALID_TOKEN", "message": "Token has expired."}


# --- rotation and unknown kids ----------------------------------------------------------------


def test_rotated_key_is_fetched_without_a_restart(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS = 0.2
    old, new = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(old)
    assert get_me(old.sign(claims())).status_code == 200

    jwks_server.publish(old, new)
    time.sleep(0.25)

    assert get_me(new.sign(claims())).status_code == 200
    assert get_me(old.sign(claims())).status_code == 200
    assert jwks_server.fetches == 2


def test_a_retired_key_stops_working_when_the_cache_expires(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS = 0.1
    jwks_settings.JWT_JWKS_CACHE_SECONDS = 0.3
    old, new = make_key("RS256"), make_key("RS256")
    jwks_server.publish(old)
    assert get_me(old.sign(claims())).status_code == 200

    jwks_server.publish(new)
    time.sleep(0.35)

    response = get_me(old.sign(claims()))
    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Token key id is not known to the issuer.",
    }
    assert get_me(new.sign(claims())).status_code == 200


def test_a_flood_of_unknown_kids_fetches_the_jwks_at_most_once_per_interval(
    make_key, jwks_server, jwks_settings
):
    jwks_settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS = 10
    key = make_key("EdDSA")
    jwks_server.publish(key)
    assert get_me(key.sign(claims())).status_code == 200

    responses = [get_me(key.sign(claims(), kid=uuid.uuid4().hex)) for _ in range(20)]

    assert {r.status_code for r in responses} == {401}
    assert {error(r)["message"] for r in responses} == {"Token key id is not known to the issuer."}
    assert jwks_server.fetches == 1  # the interval (10 s) has not passed since the first fetch


def test_unknown_kid_refetches_once_the_interval_has_passed(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS = 0.2
    key = make_key("EdDSA")
    jwks_server.publish(key)
    get_me(key.sign(claims()))
    time.sleep(0.25)

    for _ in range(5):
        assert get_me(key.sign(claims(), kid="made-up")).status_code == 401

    assert jwks_server.fetches == 2


def test_concurrent_first_requests_share_one_fetch(make_key, jwks_server, jwks_settings):
    jwks_server.delay = 0.2  # every request arrives while the first fetch is in flight
    key = make_key("ES256")
    jwks_server.publish(key)
    header = {"alg": "ES256", "kid": key.kid}
    results, barrier = [], threading.Barrier(8)

    def verify():
        barrier.wait()
        results.append(jwks_signing_key(header))

    threads = [threading.Thread(target=verify) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 8
    assert jwks_server.fetches == 1


# --- issuer unreachable -----------------------------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{uuid.uuid4().hex}/jwks"


def test_issuer_down_is_a_fast_503(settings, make_key):
    settings.JWT_JWKS_URL = _closed_port_url()
    token = make_key("EdDSA").sign(claims())

    started = time.monotonic()
    first, second = get_me(token), get_me(token)
    elapsed = time.monotonic() - started

    for response in (first, second):
        assert response.status_code == 503
        assert response.json() == {
            "success": False,
            "error": {
                "code": "SERVICE_UNAVAILABLE",
                "message": "The token issuer cannot be reached; try again shortly.",
            },
        }
    assert elapsed < 1.5
    assert not User.objects.exists()


def test_issuer_that_never_answers_is_a_503_after_the_timeout(settings, make_key):
    listener = socket.socket()  # accepts connections (backlog) but never sends a byte
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    settings.JWT_JWKS_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/{uuid.uuid4().hex}"
    settings.JWT_JWKS_TIMEOUT_SECONDS = 0.5
    try:
        started = time.monotonic()
        response = get_me(make_key("EdDSA").sign(claims()))
        elapsed = time.monotonic() - started
    finally:
        listener.close()

    assert response.status_code == 503
    assert error(response)["code"] == "SERVICE_UNAVAILABLE"
    assert 0.4 < elapsed < 2


def test_default_fetch_timeout_is_about_two_seconds():
    assert settings.JWT_JWKS_TIMEOUT_SECONDS == 2


@pytest.mark.parametrize("status", [500, 404])
def test_issuer_answering_an_error_is_503(status, make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)
    jwks_server.status = status

    response = get_me(key.sign(claims()))

    assert response.status_code == 503
    assert error(response)["code"] == "SERVICE_UNAVAILABLE"


def test_issuer_recovers_after_the_interval(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS = 0.2
    key = make_key("EdDSA")
    jwks_server.publish(key)
    jwks_server.status = 500
    assert get_me(key.sign(claims())).status_code == 503

    jwks_server.status = 200
    assert get_me(key.sign(claims())).status_code == 503  # no new attempt inside the interval
    time.sleep(0.25)

    assert get_me(key.sign(claims())).status_code == 200
    assert jwks_server.fetches == 2


def test_a_redirect_is_not_followed(make_key, jwks_server, jwks_settings):
    elsewhere = JWKSServer()
    try:
        key = make_key("EdDSA")
        elsewhere.publish(key)
        jwks_server.redirect_to = elsewhere.url

        response = get_me(key.sign(claims()))
    finally:
        elsewhere.stop()

    assert response.status_code == 503
    assert elsewhere.requests == []


# --- rejected ---------------------------------------------------------------------------------


def test_a_token_without_kid_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    response = get_me(key.sign(claims(), kid=None))

    assert response.status_code == 401
    assert error(response) == {"code": "INVALID_TOKEN", "message": "Token has no key id ('kid')."}


def test_a_token_whose_alg_does_not_match_its_key_is_401(make_key, jwks_server, jwks_settings):
    ed_key, rsa_key = make_key("EdDSA"), make_key("RS256")
    jwks_server.publish(ed_key)
    # Signed by an RSA key the issuer does not have, but naming the issuer's Ed25519 kid.
    forged = rsa_key.sign(claims(), kid=ed_key.kid)

    response = get_me(forged)

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Token algorithm does not match its key.",
    }


def test_a_published_key_whose_alg_differs_from_the_token_is_401(
    make_key, jwks_server, jwks_settings
):
    key = make_key("RS256")
    jwks_server.publish(key.jwk(alg="PS256"))  # the issuer says: this key is for PS256 only

    response = get_me(key.sign(claims()))

    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_TOKEN"


@pytest.mark.parametrize("alg", ["ES384", "PS256"])
def test_an_algorithm_outside_the_allow_list_is_401(alg, make_key, jwks_server, jwks_settings):
    key = make_key(alg)
    jwks_server.publish(key.jwk(alg=None))

    response = get_me(key.sign(claims()))

    assert response.status_code == 401
    assert error(response) == {
        "code": "INVALID_TOKEN",
        "message": "Token algorithm is not accepted.",
    }
    assert jwks_server.fetches == 0


def test_alg_none_is_401(jwks_server, jwks_settings):
    head = b64url(json.dumps({"alg": "none", "kid": "x"}).encode())
    body = b64url(json.dumps(claims()).encode())

    response = get_me(f"{head}.{body}.")

    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_TOKEN"


def test_hs256_signed_with_the_public_key_pem_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("RS256")
    jwks_server.publish(key)
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    for secret in (pem, pem.strip(), key.jwk()["n"].encode()):
        response = get_me(hs256_by_hand(claims(), secret, kid=key.kid))
        assert response.status_code == 401
        assert error(response) == {
            "code": "INVALID_TOKEN",
            "message": "Token signature is invalid.",
        }
    assert not User.objects.exists()


def test_a_symmetric_key_in_the_jwks_is_never_used(jwks_server, jwks_settings):
    secret = b"attacker-chosen-secret-of-decent-length!"
    jwks_server.publish({"kty": "oct", "kid": "oct-1", "alg": "HS256", "k": b64url(secret)})

    hs = get_me(hs256_by_hand(claims(), secret, kid="oct-1"))
    assert hs.status_code == 401
    assert error(hs)["message"] == "Token signature is invalid."


@pytest.mark.parametrize("header", ["jku", "x5u"])
def test_keys_are_never_fetched_from_a_url_the_token_names(
    header, make_key, jwks_server, jwks_settings
):
    attacker = JWKSServer()
    try:
        issuer_key, attacker_key = make_key("EdDSA"), make_key("EdDSA")
        jwks_server.publish(issuer_key)
        attacker.publish(attacker_key)
        token = attacker_key.sign(claims(), **{header: attacker.url})

        response = get_me(token)
    finally:
        attacker.stop()

    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_TOKEN"
    assert attacker.requests == []
    assert not User.objects.exists()


def test_a_key_embedded_in_the_token_header_is_ignored(make_key, jwks_server, jwks_settings):
    issuer_key, attacker_key = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(issuer_key)

    token = attacker_key.sign(claims(), kid=issuer_key.kid, jwk=attacker_key.jwk())

    response = get_me(token)
    assert response.status_code == 401
    assert error(response)["message"] == "Token signature is invalid."


def test_asymmetric_tokens_are_refused_when_no_jwks_is_configured(make_key, settings):
    settings.JWT_JWKS_URL = None

    response = get_me(make_key("EdDSA").sign(claims()))

    assert response.status_code == 401
    assert error(response)["message"] == "Token algorithm is not accepted."


def test_shared_secret_tokens_still_work_with_a_jwks_configured(
    make_token, jwks_server, jwks_settings
):
    user_id = uuid.uuid4()

    response = get_me(make_token(user_id))

    assert response.status_code == 200
    assert jwks_server.fetches == 0


def test_a_jwks_token_with_a_non_uuid_sub_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    response = get_me(key.sign(claims(sub="k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG")))

    assert response.status_code == 401
    assert error(response)["code"] == "INVALID_TOKEN"
    assert "UUID" in error(response)["message"]
