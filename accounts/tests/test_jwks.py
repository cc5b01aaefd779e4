"""Asymmetric tokens verified with keys from a real JWKS endpoint (accounts/jwks.py).

The issuer is a real HTTP server (testing.jwks.JWKSServer) that counts its requests; each test
gets its own URL, so its own process-wide client and cache.
"""

import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from accounts.exceptions import InvalidToken
from accounts.jwks import MAX_JWKS_BYTES, jwks_signing_key, parse_jwks
from accounts.models import User
from testing.auth import access_claims, bearer
from testing.jwks import JWKSServer

pytestmark = pytest.mark.django_db

ME = "/api/auth/me"
UNAVAILABLE = {
    "success": False,
    "error": {
        "code": "SERVICE_UNAVAILABLE",
        "message": "The token issuer cannot be reached; try again shortly.",
    },
}


def get_me(token: str):
    return bearer(token).get(ME)


def error(response) -> dict:
    return response.json()["error"]


def reason(response) -> str:
    assert response.status_code == 401, response.json()
    return error(response)["details"]["reason"]


def assert_unavailable(response) -> None:
    """503 with Retry-After, never a 401: the key set could not be had."""
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "1"


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


def in_threads(count: int, call) -> list:
    """`call()` in `count` threads released together; results or exceptions, in order."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # reported by the test's assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    return results


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


def test_a_better_auth_default_id_is_the_users_id(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    response = get_me(key.sign(claims("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG")))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == "k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG"


def test_keys_are_cached_across_requests(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    for _ in range(5):
        assert get_me(key.sign(claims())).status_code == 200

    assert jwks_server.fetches == 1


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
    assert (reason(wrong_iss), reason(wrong_aud)) == ("wrong_issuer", "wrong_audience")
    assert "expected 'https://auth.example.com'" in error(wrong_iss)["message"]
    assert "expected 'https://auth.example.com'" in error(wrong_aud)["message"]


def test_an_expired_jwks_token_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)
    now = int(time.time())

    response = get_me(key.sign(claims(iat=now - 600, exp=now - 300)))

    assert reason(response) == "expired"


# --- rotation ---------------------------------------------------------------------------------


def test_a_key_published_just_after_a_fetch_is_accepted_within_the_second(
    make_key, jwks_server, jwks_settings
):
    old, new = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(old)
    assert get_me(old.sign(claims())).status_code == 200

    jwks_server.publish(old, new)  # rotated at once: no time for any interval to pass
    started = time.monotonic()
    response = get_me(new.sign(claims()))
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 1.5  # it waited for the next allowed fetch, at most a second away
    assert get_me(old.sign(claims())).status_code == 200
    assert jwks_server.fetches == 2


def test_requests_for_a_new_key_that_arrive_during_the_fetch_share_it(
    make_key, jwks_server, jwks_settings
):
    old, new = make_key("ES256"), make_key("ES256")
    jwks_server.publish(old)
    jwks_signing_key({"alg": "ES256", "kid": old.kid})
    time.sleep(1.05)  # the next fetch may start at once
    jwks_server.publish(old, new)
    jwks_server.delay = 0.3  # every request below arrives while that fetch is in flight

    results = in_threads(8, lambda: jwks_signing_key({"alg": "ES256", "kid": new.kid}))

    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.public_numbers() for r in results} == {new.public_key.public_numbers()}
    assert jwks_server.fetches == 2


def test_concurrent_first_requests_share_one_fetch(make_key, jwks_server, jwks_settings):
    jwks_server.delay = 0.2
    key = make_key("ES256")
    jwks_server.publish(key)

    results = in_threads(8, lambda: jwks_signing_key({"alg": "ES256", "kid": key.kid}))

    assert all(not isinstance(r, Exception) for r in results), results
    assert jwks_server.fetches == 1


def test_a_kid_absent_from_a_fresh_key_set_is_unknown_key(make_key, jwks_server, jwks_settings):
    key, stranger = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(key)
    assert get_me(key.sign(claims())).status_code == 200

    response = get_me(stranger.sign(claims()))

    assert reason(response) == "unknown_key"
    assert error(response)["message"] == (
        f"Token key id {stranger.kid!r} is not in the issuer's current key set."
    )
    assert jwks_server.fetches == 2  # refetched once before saying so


def test_a_retired_key_stops_working_when_the_cache_expires(make_key, jwks_server, jwks_settings):
    jwks_settings.JWT_JWKS_CACHE_SECONDS = 0.3
    old, new = make_key("RS256"), make_key("RS256")
    jwks_server.publish(old)
    assert get_me(old.sign(claims())).status_code == 200

    jwks_server.publish(new)
    time.sleep(1.05)

    assert reason(get_me(old.sign(claims()))) == "unknown_key"
    assert get_me(new.sign(claims())).status_code == 200
    assert jwks_server.fetches == 2


def test_a_flood_of_made_up_kids_costs_the_issuer_a_fetch_a_second(
    make_key, jwks_server, jwks_settings
):
    key = make_key("EdDSA")
    jwks_server.publish(key)
    jwks_signing_key({"alg": "EdDSA", "kid": key.kid})
    answers: list = []
    stop_at = time.monotonic() + 2.5

    def flood() -> None:
        while time.monotonic() < stop_at:
            try:
                jwks_signing_key({"alg": "EdDSA", "kid": uuid.uuid4().hex})
            except InvalidToken as exc:
                answers.append(exc.reason)

    in_threads(8, flood)

    assert len(answers) >= 8 and set(answers) == {"unknown_key"}
    assert 2 <= jwks_server.fetches <= 4  # the first, then at most one per second of flooding


# --- the issuer cannot be reached -------------------------------------------------------------


def test_cached_keys_keep_working_while_the_issuer_is_down(make_key, jwks_server, jwks_settings):
    key, unseen = make_key("ES256"), make_key("ES256")
    jwks_server.publish(key, unseen)
    assert get_me(key.sign(claims())).status_code == 200

    jwks_server.stop()

    assert get_me(key.sign(claims())).status_code == 200
    assert_unavailable(get_me(make_key("ES256").sign(claims())))  # a kid it has not seen


def test_expired_cached_keys_keep_working_while_the_issuer_is_down(
    make_key, jwks_server, jwks_settings
):
    jwks_settings.JWT_JWKS_CACHE_SECONDS = 0.2
    key = make_key("EdDSA")
    jwks_server.publish(key)
    assert get_me(key.sign(claims())).status_code == 200
    jwks_server.stop()
    time.sleep(1.05)  # the key set is past its lifespan, and a refetch is allowed (and fails)

    assert get_me(key.sign(claims())).status_code == 200
    assert jwks_server.fetches == 1


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

    assert_unavailable(first)
    assert_unavailable(second)  # the fetch a moment ago failed: no waiting for another
    assert elapsed < 0.5
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

    assert_unavailable(response)
    assert 0.4 < elapsed < 2


def test_default_fetch_timeout_is_about_two_seconds():
    assert settings.JWT_JWKS_TIMEOUT_SECONDS == 2


def test_the_issuer_going_down_right_after_a_fetch_and_back_recovers_within_a_second(
    make_key, jwks_server, jwks_settings
):
    key, rotated = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(key)
    assert get_me(key.sign(claims())).status_code == 200
    jwks_server.stop()
    assert_unavailable(get_me(rotated.sign(claims())))

    jwks_server.publish(key, rotated)
    jwks_server.start()
    back = time.monotonic()
    while (response := get_me(rotated.sign(claims()))).status_code == 503:
        assert time.monotonic() - back < 1.3, "not recovered within a second"
        assert response["Retry-After"] == "1"
        time.sleep(0.05)

    assert response.status_code == 200
    assert time.monotonic() - back < 1.3


@pytest.mark.parametrize(
    ("status", "body", "content_type", "why"),
    [
        (404, b"<html><body>Not Found</body></html>", "text/html", "HTTP 404 Not Found"),
        (500, b"oops", "text/plain", "HTTP 500 Internal Server Error"),
        (200, b"<!doctype html><title>Sign in</title>", "text/html", "the answer is not JSON"),
        (200, b'{"users": []}', "application/json", "the document has no 'keys' list"),
        (200, b'{"keys": {}}', "application/json", "the document has no 'keys' list"),
        (200, b'{"keys": []}', "application/json", "no usable signing key"),
        (200, b" " * (MAX_JWKS_BYTES + 1), "application/json", "larger than 262144 bytes"),
    ],
    ids=["404-page", "500", "html", "no-keys", "keys-not-a-list", "empty", "too-large"],
)
def test_an_answer_that_is_not_a_key_set_is_503_and_logged_at_error_with_url_and_status(
    status, body, content_type, why, make_key, jwks_server, jwks_settings, caplog
):
    jwks_server.status, jwks_server.body, jwks_server.content_type = status, body, content_type

    with caplog.at_level(logging.ERROR, logger="todo.jwks"):
        response = get_me(make_key("EdDSA").sign(claims()))

    assert_unavailable(response)
    [record] = [r for r in caplog.records if r.name == "todo.jwks"]
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith(
        f"JWKS at {jwks_server.url} is not a key set (HTTP {status}): {why}"
    )
    assert (record.jwks_url, record.jwks_status) == (jwks_server.url, status)


def test_a_redirect_is_not_followed(make_key, jwks_server, jwks_settings, caplog):
    elsewhere = JWKSServer()
    try:
        key = make_key("EdDSA")
        elsewhere.publish(key)
        jwks_server.redirect_to = elsewhere.url

        with caplog.at_level(logging.ERROR, logger="todo.jwks"):
            response = get_me(key.sign(claims()))
    finally:
        elsewhere.stop()

    assert_unavailable(response)
    assert elsewhere.requests == []
    assert "(HTTP 302): HTTP 302 Found (redirects are not followed)" in caplog.text


# --- which published keys count ---------------------------------------------------------------


def test_only_public_signing_keys_of_an_accepted_kind_are_kept(make_key):
    good = [make_key("EdDSA"), make_key("ES256"), make_key("RS256")]
    small_rsa = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    private_ec = ec.generate_private_key(ec.SECP256R1())
    document = {
        "keys": [
            *(key.jwk() for key in good),
            {**RSAAlgorithm.to_jwk(small_rsa.public_key(), as_dict=True), "kid": "small-rsa"},
            {**ECAlgorithm.to_jwk(private_ec, as_dict=True), "kid": "private-ec"},
            {"kty": "oct", "kid": "hmac", "k": b64url(b"s" * 32), "alg": "HS256"},
            {**good[0].jwk(), "kid": "for-encryption", "use": "enc"},
            {**good[1].jwk(), "kid": "es384-labelled", "alg": "ES384"},
            {**good[0].jwk(), "kid": None},
            "not-a-jwk",
        ]
    }

    kept = parse_jwks(document)

    assert [(jwk.key_id, jwk.algorithm_name) for jwk in kept.keys] == [
        (good[0].kid, "EdDSA"),
        (good[1].kid, "ES256"),
        (good[2].kid, "RS256"),
    ]


def test_a_token_naming_a_published_key_of_another_kind_is_unknown_key(
    make_key, jwks_server, jwks_settings
):
    usable, other = make_key("EdDSA"), make_key("RS256")
    jwks_server.publish(usable, other.jwk(alg="PS256"))  # the issuer says: PS256 only

    response = get_me(other.sign(claims()))

    assert reason(response) == "unknown_key"


# --- rejected ---------------------------------------------------------------------------------


def test_a_token_without_kid_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    response = get_me(key.sign(claims(), kid=None))

    assert reason(response) == "malformed"
    assert error(response)["message"] == "Token has no key id ('kid'), which a JWKS token needs."


def test_a_token_whose_alg_does_not_match_its_key_is_401(make_key, jwks_server, jwks_settings):
    ed_key, rsa_key = make_key("EdDSA"), make_key("RS256")
    jwks_server.publish(ed_key)
    # Signed by an RSA key the issuer does not have, but naming the issuer's Ed25519 kid.
    forged = rsa_key.sign(claims(), kid=ed_key.kid)

    response = get_me(forged)

    assert reason(response) == "algorithm_not_allowed"
    assert error(response)["message"] == "Token algorithm does not match its key."


@pytest.mark.parametrize("alg", ["ES384", "PS256"])
def test_an_algorithm_outside_the_allow_list_is_401(alg, make_key, jwks_server, jwks_settings):
    key = make_key(alg)
    jwks_server.publish(key.jwk(alg=None))

    response = get_me(key.sign(claims()))

    assert reason(response) == "algorithm_not_allowed"
    assert error(response)["message"] == (
        "Token algorithm is not accepted (accepted: HS256; EdDSA, ES256, RS256 from the JWKS)."
    )
    assert jwks_server.fetches == 0


def test_alg_none_is_401(jwks_server, jwks_settings):
    head = b64url(json.dumps({"alg": "none", "kid": "x"}).encode())
    body = b64url(json.dumps(claims()).encode())

    assert reason(get_me(f"{head}.{body}.")) == "algorithm_not_allowed"


def test_hs256_signed_with_the_public_key_pem_is_401(make_key, jwks_server, jwks_settings):
    key = make_key("RS256")
    jwks_server.publish(key)
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    for secret in (pem, pem.strip(), key.jwk()["n"].encode()):
        response = get_me(hs256_by_hand(claims(), secret, kid=key.kid))
        assert reason(response) == "bad_signature"
    assert not User.objects.exists()


def test_a_symmetric_key_in_the_jwks_is_never_used(jwks_server, jwks_settings):
    secret = b"attacker-chosen-secret-of-decent-length!"
    jwks_server.publish({"kty": "oct", "kid": "oct-1", "alg": "HS256", "k": b64url(secret)})

    assert reason(get_me(hs256_by_hand(claims(), secret, kid="oct-1"))) == "bad_signature"


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

    assert reason(response) == "unknown_key"
    assert attacker.requests == []
    assert not User.objects.exists()


def test_a_key_embedded_in_the_token_header_is_ignored(make_key, jwks_server, jwks_settings):
    issuer_key, attacker_key = make_key("EdDSA"), make_key("EdDSA")
    jwks_server.publish(issuer_key)

    token = attacker_key.sign(claims(), kid=issuer_key.kid, jwk=attacker_key.jwk())

    assert reason(get_me(token)) == "bad_signature"


def test_asymmetric_tokens_are_refused_when_no_jwks_is_configured(make_key, settings):
    settings.JWT_JWKS_URL = None

    response = get_me(make_key("EdDSA").sign(claims()))

    assert reason(response) == "algorithm_not_allowed"
    assert "JWT_JWKS_URL is not set" in error(response)["message"]


def test_shared_secret_tokens_still_work_with_a_jwks_configured(
    make_token, jwks_server, jwks_settings
):
    user_id = uuid.uuid4()

    response = get_me(make_token(user_id))

    assert response.status_code == 200
    assert jwks_server.fetches == 0


@pytest.mark.parametrize("sub", ["a/b", "x" * 256, "bell\x07", 42])
def test_a_jwks_token_whose_sub_cannot_be_an_id_is_401(sub, make_key, jwks_server, jwks_settings):
    key = make_key("EdDSA")
    jwks_server.publish(key)

    response = get_me(key.sign({**claims(), "sub": sub}))

    assert reason(response) == "invalid_subject"
    assert not User.objects.exists()
