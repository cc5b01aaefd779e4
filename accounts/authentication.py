"""Bearer JWT authentication: verify the token, then find or lazily create the user by `sub`."""

import functools
import time
import uuid
from types import MappingProxyType

import jwt
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.db import with_reconnect

from .exceptions import AccountDisabled, InvalidToken
from .models import User
from .services import user_get_or_create_from_sub

# Never `none`, and HS* only with our shared secret: the algorithm picks the key, not the token.
SHARED_SECRET_ALGORITHMS = frozenset({"HS256"})
ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "ES256", "RS256"})
MAX_TOKEN_LENGTH = 8192
SUB_NOT_A_UUID = "Token 'sub' claim must be a UUID (the user's id)."

_FAILURES: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "Token has expired."),
    (jwt.ImmatureSignatureError, "Token is not yet valid."),
    (jwt.InvalidIssuerError, "Token has the wrong issuer."),
    (jwt.InvalidAudienceError, "Token has the wrong audience."),
    (jwt.MissingRequiredClaimError, "Token is missing a required claim."),
    (jwt.InvalidSignatureError, "Token signature is invalid."),
    # PyJWT itself refuses a `sub` that is not a string (a number, a list...).
    (jwt.exceptions.InvalidSubjectError, SUB_NOT_A_UUID),
]


def _signing_key(header: dict):
    """The key that may verify a token with this header (the JWKS seam for asymmetric tokens)."""
    alg = header.get("alg")
    if not isinstance(alg, str):  # a list or an object is unhashable: a 500 before this check
        raise InvalidToken("Token algorithm is not accepted.")
    if alg in SHARED_SECRET_ALGORITHMS:
        return settings.BETTER_AUTH_SECRET
    if alg in ASYMMETRIC_ALGORITHMS and settings.JWT_JWKS_URL:
        from .jwks import jwks_signing_key  # only deployments with a JWKS need it

        return jwks_signing_key(header)
    raise InvalidToken("Token algorithm is not accepted.")


def verify_access_token(raw: str) -> dict:
    """Verified claims of an access token; InvalidToken for every way a token can be bad.

    A token that verified once is remembered (per process, with the configuration it was
    checked under) until it expires: a client sends the same token on every request, and
    parsing plus signature checking was a tenth of a small request's time. Only successes
    are remembered, keyed by the exact token text, so a changed byte is verified afresh.
    """
    if len(raw) > MAX_TOKEN_LENGTH:
        raise InvalidToken("Token is too long.")
    config = (
        settings.BETTER_AUTH_SECRET,
        settings.JWT_JWKS_URL,
        settings.JWT_ISSUER,
        settings.JWT_AUDIENCE,
        settings.JWT_LEEWAY_SECONDS,
    )
    claims = _verify_cached(raw, config)
    if claims["exp"] + settings.JWT_LEEWAY_SECONDS < time.time():
        raise InvalidToken("Token has expired.")
    return claims


@functools.lru_cache(maxsize=4096)
def _verify_cached(raw: str, config: tuple) -> dict:
    # `config` is only part of the cache key: a settings change never reuses an old verdict.
    claims = _verify(raw)
    return MappingProxyType(claims)


def _verify(raw: str) -> dict:
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.InvalidTokenError:
        raise InvalidToken("Token is malformed.") from None
    key = _signing_key(header)
    try:
        claims = jwt.decode(
            raw,
            key,
            algorithms=[header["alg"]],
            leeway=settings.JWT_LEEWAY_SECONDS,
            issuer=settings.JWT_ISSUER,
            audience=settings.JWT_AUDIENCE,
            options={
                "require": ["exp", "sub"],
                "verify_aud": bool(settings.JWT_AUDIENCE),
            },
        )
    except jwt.InvalidTokenError as exc:
        message = next((m for cls, m in _FAILURES if isinstance(exc, cls)), None)
        raise InvalidToken(message) from None
    if isinstance(claims["exp"], bool) or not isinstance(claims["exp"], int | float):
        # A NumericDate: PyJWT also takes "9999999999" (then a 500 in the expiry arithmetic).
        raise InvalidToken()
    if claims.get("token_type", "access") != "access":
        raise InvalidToken("A refresh token cannot be used as an access token.")
    return claims


def user_id_from_claims(claims: dict) -> uuid.UUID:
    """The `sub` claim as a UUID (it is the user's id)."""
    sub = claims.get("sub")
    try:
        if not isinstance(sub, str):
            raise ValueError
        return uuid.UUID(sub)
    except ValueError:
        raise InvalidToken(SUB_NOT_A_UUID) from None


class SubClaimJWTAuthentication(BaseAuthentication):
    """`Authorization: Bearer <jwt>`; the first request with an unknown `sub` creates the user.

    DRF's BaseAuthentication, not simplejwt's JWTAuthentication: simplejwt verifies one
    algorithm with one key, and tokens here are HS256 or come from a JWKS (verify_access_token).
    """

    def authenticate(self, request):
        raw = self.get_raw_token(get_authorization_header(request))
        if raw is None:
            return None
        claims = self.get_validated_token(raw)
        user = self.get_user(claims)
        request._request.api_user_id = user.pk  # for the access log
        return user, claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # a 401, not a 403, with WWW-Authenticate

    def get_raw_token(self, header: bytes) -> str | None:
        """The token of a `Bearer` header (scheme case-insensitive); None for no or other scheme."""
        parts = header.split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise InvalidToken("Authorization header must be 'Bearer <token>'.")
        try:
            return parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken("Token is malformed.") from None

    def get_validated_token(self, raw_token: str) -> dict:
        return verify_access_token(raw_token)

    def get_user(self, validated_token: dict) -> User:
        user_id = user_id_from_claims(validated_token)
        user = with_reconnect(
            lambda: user_get_or_create_from_sub(
                user_id=user_id,
                email=validated_token.get("email"),
                name=validated_token.get("name"),
            )
        )
        if not user.is_active:
            raise AccountDisabled()
        return user


class BearerJWTScheme(OpenApiAuthenticationExtension):
    """OpenAPI: `Authorization: Bearer <jwt>` as SubClaimJWTAuthentication reads it."""

    target_class = SubClaimJWTAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An access token: from POST /api/auth/signin (or signup, refresh), "
                "`manage.py mint_token`, or a Better Auth frontend (HS256 with the shared "
                "secret, or EdDSA/ES256/RS256 from its JWKS). `sub` is the user's id."
            ),
        }
