"""Public keys of an asymmetric token issuer (JWKS), fetched from JWT_JWKS_URL and cached.

Only the configured URL is ever fetched: a token's `jku`/`x5u`/`jwk` headers are never read.
Keys are cached per process and chosen by `kid`; an unknown `kid` triggers a refetch at most
once per JWT_JWKS_REFETCH_INTERVAL_SECONDS, so rotation works without a restart while a flood
of made-up kids cannot flood the issuer. Fetches time out after JWT_JWKS_TIMEOUT_SECONDS and
follow no redirects; an issuer that cannot be reached is a 503, never a hang or a 401.
"""

import http.client
import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from .exceptions import InvalidToken, IssuerUnavailable

logger = logging.getLogger("todo.jwks")

MAX_JWKS_BYTES = 256 * 1024
MIN_RSA_BITS = 2048

# Token `alg` -> the only key type (and curve) that may verify it: no HS*, no key reuse.
_KEY_KIND = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256"), "RS256": ("RSA", None)}


class JWKSUnavailable(Exception):
    """The issuer's key set could not be fetched or read."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an error: keys come from the configured URL only


_opener = urllib.request.build_opener(_NoRedirect)


def _algorithm_for(jwk: dict) -> str | None:
    """The one accepted algorithm this JWK may verify, or None when it is of no use here."""
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        return None
    if jwk.get("use") not in (None, "sig"):
        return None
    for alg, (kty, crv) in _KEY_KIND.items():
        if jwk.get("kty") == kty and jwk.get("crv") == crv:
            return alg if jwk.get("alg") in (None, alg) else None
    return None


def parse_jwks(document: object) -> dict[str, tuple[str, object]]:
    """`{kid: (alg, public key)}` of the usable signing keys in a JWKS document."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JWKSUnavailable("The JWKS document has no 'keys' list.")
    keys = {}
    for jwk in document["keys"]:
        alg = _algorithm_for(jwk)
        if alg is None:
            continue
        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
        except jwt.PyJWTError:
            continue
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
            continue
        if not hasattr(key, "verify") or hasattr(key, "sign"):  # public keys only
            continue
        keys[jwk["kid"]] = (alg, key)
    return keys


def _read_bounded(response, *, deadline: float) -> bytes:
    """The body, refused when it is too large or trickles in past the deadline."""
    chunks, size = [], 0
    while chunk := response.read1(16384):
        size += len(chunk)
        chunks.append(chunk)
        if size > MAX_JWKS_BYTES:
            raise JWKSUnavailable("The JWKS document is too large.")
        if time.monotonic() > deadline:
            raise JWKSUnavailable("The JWKS document arrived too slowly.")
    return b"".join(chunks)


def fetch_jwks(url: str, *, timeout: float) -> dict[str, tuple[str, object]]:
    """GET the key set (no redirects, bounded time and size)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            body = _read_bounded(response, deadline=time.monotonic() + timeout)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, timeout, 5xx...
        raise JWKSUnavailable(f"{type(exc).__name__}: {exc}") from None
    try:
        return parse_jwks(json.loads(body))
    except ValueError:
        raise JWKSUnavailable("The JWKS document is not JSON.") from None


@dataclass
class JWKSCache:
    """One issuer's keys: thread-safe, refetched when stale or (rate-limited) on an unknown kid."""

    url: str
    timeout: float
    refetch_interval: float
    max_age: float
    _keys: dict = field(default_factory=dict)
    _fetched_at: float | None = None  # last successful fetch (monotonic)
    _attempted_at: float | None = None  # last fetch, successful or not
    _failed: bool = False  # did the last attempt fail?
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self.max_age

    def key(self, kid: str) -> tuple[str, object]:
        """(alg, key) for this kid; InvalidToken when unknown, JWKSUnavailable when unreachable."""
        found = self._keys.get(kid)
        if found is not None and self._fresh(time.monotonic()):
            return found  # the common case takes no lock
        with self._lock:  # one fetch at a time; waiters then see its result
            now = time.monotonic()
            if kid not in self._keys or not self._fresh(now):
                self._refresh(now)
            found = self._keys.get(kid)
            if found is not None:  # stale keys are still served while the issuer is down
                return found
            if self._failed:
                raise JWKSUnavailable("The issuer's keys could not be fetched.")
            raise InvalidToken("Token key id is not known to the issuer.")

    def _refresh(self, now: float) -> None:
        if self._attempted_at is not None and now - self._attempted_at < self.refetch_interval:
            return  # fetched (or tried) very recently: answer from what we have
        self._attempted_at = now
        try:
            self._keys = fetch_jwks(self.url, timeout=self.timeout)
        except JWKSUnavailable as exc:
            self._failed = True
            logger.warning("JWKS fetch failed: %s", exc, extra={"jwks_url": self.url})
            return
        self._failed = False
        self._fetched_at = time.monotonic()


_caches: dict[tuple, JWKSCache] = {}
_caches_lock = threading.Lock()


def _cache() -> JWKSCache:
    """The process-wide cache for the configured JWKS URL (and its timing settings)."""
    config = (
        settings.JWT_JWKS_URL,
        float(settings.JWT_JWKS_TIMEOUT_SECONDS),
        float(settings.JWT_JWKS_REFETCH_INTERVAL_SECONDS),
        float(settings.JWT_JWKS_CACHE_SECONDS),
    )
    with _caches_lock:
        if config not in _caches:
            _caches[config] = JWKSCache(*config)
        return _caches[config]


def jwks_signing_key(header: dict):
    """The issuer's public key for a token with this (unverified) header.

    The key must exist under the token's `kid` and be of the kind the token's `alg` names, so
    an RS256 key never verifies an EdDSA token and no public key ever meets an HS* algorithm.
    """
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("Token has no key id ('kid').")
    try:
        alg, key = _cache().key(kid)
    except JWKSUnavailable:
        raise IssuerUnavailable() from None
    if alg != header.get("alg"):
        raise InvalidToken("Token algorithm does not match its key.")
    return key
