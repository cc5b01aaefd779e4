"""Public keys of an asymmetric token issuer (JWKS), fetched from JWT_JWKS_URL and cached.

PyJWT's PyJWKClient brings the http(s)-only URL, the fetch timeout, the cached key set with its
lifespan (JWT_JWKS_CACHE_SECONDS) and a lock. JWKSClient adds what the contract asks beyond it:

- a key set of at most MAX_JWKS_BYTES, within the timeout, from the configured URL only (no
  redirects; a token's `jku`/`x5u`/`jwk` headers are never read), with only the keys a token
  here may use: EdDSA/Ed25519, ES256/P-256 and RS256 (2048 bits or more) public signing keys;
- an unknown `kid` refetches at once, one fetch in flight per process and at most one a second
  (MIN_REFETCH_INTERVAL): requests that arrive meanwhile wait for it, up to the fetch timeout,
  so a token signed with a key published a moment ago is accepted, and a flood of made-up
  kids costs the issuer one request a second;
- `unknown_key` (401) only for a kid absent from a key set fetched after the request arrived;
  when the key set cannot be had, a 503 (never a 401), while known keys keep working from the
  cache however old; the first request a second after a failed fetch tries again, so the
  service recovers within a second of the issuer coming back;
- a document that is not a key set (an HTML 404 page, JSON without `keys`, no usable key) is
  logged at ERROR with the URL and the HTTP status, so a wrong JWT_JWKS_URL is found quickly.
"""

import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from jwt import PyJWK, PyJWKClient, PyJWKSet

from .exceptions import InvalidToken, IssuerUnavailable

logger = logging.getLogger("todo.jwks")

MAX_JWKS_BYTES = 256 * 1024
MIN_RSA_BITS = 2048
MIN_REFETCH_INTERVAL = 1.0  # seconds between fetches, at least (the contract's "one a second")

# Token `alg` -> the only key type (and curve) that may verify it: no HS*, no key reuse.
_KEY_KIND = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256"), "RS256": ("RSA", None)}


class JWKSUnavailable(Exception):
    """The issuer's key set could not be fetched or read."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an error: keys come from the configured URL only


_opener = urllib.request.build_opener(_NoRedirect)


def _algorithm_for(jwk: object) -> str | None:
    """The one accepted algorithm this JWK may verify, or None when it is of no use here."""
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        return None
    if jwk.get("use") not in (None, "sig"):
        return None
    for alg, (kty, crv) in _KEY_KIND.items():
        if jwk.get("kty") == kty and jwk.get("crv") == crv:
            return alg if jwk.get("alg") in (None, alg) else None
    return None


def _acceptable(jwk: PyJWK) -> bool:
    key = jwk.key
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        return False
    return hasattr(key, "verify") and not hasattr(key, "sign")  # public keys only


def parse_jwks(document: object) -> PyJWKSet:
    """The usable signing keys of a JWKS document; ValueError when it is not a key set."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the document has no 'keys' list")
    # PyJWK derives each key's algorithm from kty/crv (or its `alg`), as _algorithm_for does.
    try:
        key_set = PyJWKSet([jwk for jwk in document["keys"] if _algorithm_for(jwk)])
    except jwt.PyJWTError:
        key_set = None
    if key_set is not None:
        key_set.keys = [jwk for jwk in key_set.keys if _acceptable(jwk)]
    if key_set is None or not key_set.keys:
        raise ValueError("no usable signing key (EdDSA, ES256, RS256 public keys with a kid)")
    return key_set


class JWKSClient(PyJWKClient):
    """PyJWKClient with a size cap, single-flight refetches and the contract's 503 vs 401."""

    def __init__(self, uri: str, *, timeout: float, lifespan: float):
        super().__init__(
            uri,
            lifespan=lifespan,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )  # its cooldown is unused: get_signing_key below paces the fetches
        self._attempted_at: float | None = None  # when the last fetch started (monotonic)
        self._completed_at: float | None = None  # ... and when it ended
        self._attempt_failed = False
        self._in_flight = False
        self._done = threading.Condition(self._client_lock)

    # --- fetching ---------------------------------------------------------------------------

    def fetch_data(self) -> PyJWKSet:
        """GET the key set (no redirects, bounded time and size) and keep its usable keys."""
        status, body = self._get()
        try:
            document = json.loads(body)
        except ValueError:
            self._not_a_key_set(status, "the answer is not JSON")
        try:
            return parse_jwks(document)
        except ValueError as exc:
            self._not_a_key_set(status, str(exc))

    def _get(self) -> tuple[int, bytes]:
        request = urllib.request.Request(self.uri, headers=self.headers)
        deadline = time.monotonic() + self.timeout
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                return response.status, self._read_bounded(response, deadline)
        except urllib.error.HTTPError as exc:  # it answered, with an error status or a redirect
            exc.close()
            redirect = " (redirects are not followed)" if 300 <= exc.code < 400 else ""
            self._not_a_key_set(exc.code, f"HTTP {exc.code} {exc.reason}{redirect}")
        except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, timeout...
            logger.warning(
                "JWKS fetch failed: %s: %s",
                type(exc).__name__,
                exc,
                extra={"jwks_url": self.uri},
            )
            raise JWKSUnavailable(type(exc).__name__) from None

    def _read_bounded(self, response, deadline: float) -> bytes:
        """The body, refused when it is too large or trickles in past the deadline."""
        chunks, size = [], 0
        while chunk := response.read1(16384):
            size += len(chunk)
            chunks.append(chunk)
            if size > MAX_JWKS_BYTES:
                self._not_a_key_set(response.status, f"larger than {MAX_JWKS_BYTES} bytes")
            if time.monotonic() > deadline:
                raise JWKSUnavailable("the key set arrived too slowly")
        return b"".join(chunks)

    def _not_a_key_set(self, status: int, why: str):
        # ERROR, not WARNING: an issuer that answers with something else is usually a wrong
        # JWT_JWKS_URL, and every token from it fails until someone fixes that.
        logger.error(
            "JWKS at %s is not a key set (HTTP %s): %s",
            self.uri,
            status,
            why,
            extra={"jwks_url": self.uri, "jwks_status": status},
        )
        raise JWKSUnavailable(why)

    # --- one fetch at a time ---------------------------------------------------------------
    #
    # The state below changes only under self._client_lock (PyJWKClient's lock), which is
    # never held during a fetch or a wait: `_done` (a condition on it) wakes the waiters.

    def _within_interval(self) -> bool:
        last = self._attempted_at
        return last is not None and time.monotonic() - last < MIN_REFETCH_INTERVAL

    def _fetch(self) -> None:
        """Run the fetch this thread claimed (`_in_flight`), then wake everyone waiting."""
        failed = True
        try:
            self.get_jwk_set(refresh=True)  # PyJWKClient caches what fetch_data returns
            failed = False
        except JWKSUnavailable:
            pass
        finally:  # whatever happened, the next request may fetch again
            with self._done:
                self._attempt_failed, self._completed_at = failed, time.monotonic()
                self._in_flight = False
                self._done.notify_all()

    def _claim_fetch(self) -> bool:
        """Whether this thread may fetch now (the caller holds the lock); if so, it must."""
        if self._in_flight or self._within_interval():
            return False
        self._in_flight, self._attempted_at = True, time.monotonic()
        return True

    def _fetch_ended_since(self, arrived: float) -> None:
        """Return once a fetch has ended after `arrived`: one in flight then, or a new one at
        the first moment the interval allows. JWKSUnavailable past the fetch timeout, or at
        once when the last fetch failed under a second ago (no point waiting to fail again)."""
        deadline = arrived + self.timeout
        with self._done:
            while self._completed_at is None or self._completed_at < arrived:
                if self._claim_fetch():
                    break
                if not self._in_flight and self._attempt_failed:
                    raise JWKSUnavailable("the last fetch, under a second ago, failed")
                now = time.monotonic()
                if now >= deadline:
                    raise JWKSUnavailable("no key set within the fetch timeout")
                next_slot = (self._attempted_at or now) + MIN_REFETCH_INTERVAL
                wake = deadline if self._in_flight else min(next_slot, deadline)
                self._done.wait(timeout=max(wake - now, 0.001))
            else:
                return
        self._fetch()

    # --- choosing a key ---------------------------------------------------------------------

    def _cached(self, kid: str) -> tuple[PyJWK | None, bool]:
        """(the cached key with this kid or None, whether the cached key set is fresh)."""
        held = self.jwk_set_cache.jwk_set_with_timestamp
        if held is None:
            return None, False
        key = self.match_kid(held.get_jwk_set().keys, kid)
        return key, not self.jwk_set_cache.is_expired()

    def get_signing_key(self, kid: str) -> PyJWK:
        """The issuer's key with this kid; InvalidToken `unknown_key`, or JWKSUnavailable."""
        arrived = time.monotonic()
        key, fresh = self._cached(kid)
        if key is not None and fresh:
            return key  # the common case takes no lock
        if key is not None:
            return self._known_but_stale(kid, key)
        self._fetch_ended_since(arrived)  # an unknown kid: look in a key set fetched since
        key, _ = self._cached(kid)
        if key is not None:
            return key
        if self._attempt_failed:
            raise JWKSUnavailable("the key set cannot be had")
        raise self._unknown(kid)

    def _known_but_stale(self, kid: str, key: PyJWK) -> PyJWK:
        """Refresh an expired key set unless a fetch is running or just ran; serve the old key
        while the issuer cannot be reached, refuse it once a fresh set has dropped it."""
        with self._done:
            claimed = self._claim_fetch()
        if not claimed:
            return key  # never keep a known key waiting
        self._fetch()
        current, fresh = self._cached(kid)
        if current is None and fresh:
            raise self._unknown(kid)
        return current or key

    @staticmethod
    def _unknown(kid: str) -> InvalidToken:
        return InvalidToken(
            f"Token key id {kid[:80]!r} is not in the issuer's current key set.",
            reason="unknown_key",
        )


_clients: dict[tuple, JWKSClient] = {}
_clients_lock = threading.Lock()


def _client() -> JWKSClient:
    """The process-wide client for the configured JWKS URL (and its timing settings)."""
    url = settings.JWT_JWKS_URL
    timeout = float(settings.JWT_JWKS_TIMEOUT_SECONDS)
    lifespan = float(settings.JWT_JWKS_CACHE_SECONDS)
    with _clients_lock:
        if (url, timeout, lifespan) not in _clients:
            _clients[url, timeout, lifespan] = JWKSClient(url, timeout=timeout, lifespan=lifespan)
        return _clients[url, timeout, lifespan]


def jwks_signing_key(header: dict):
    """The issuer's public key for a token with this (unverified) header.

    The key must exist under the token's `kid` and be of the kind the token's `alg` names, so
    an RS256 key never verifies an EdDSA token and no public key ever meets an HS* algorithm.
    """
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("Token has no key id ('kid'), which a JWKS token needs.",
                           reason="malformed")  # fmt: skip
    try:
        jwk = _client().get_signing_key(kid)
    except JWKSUnavailable:
        raise IssuerUnavailable() from None
    if jwk.algorithm_name != header.get("alg"):
        raise InvalidToken("Token algorithm does not match its key.",
                           reason="algorithm_not_allowed")  # fmt: skip
    return jwk.key
