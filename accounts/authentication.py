"""Bearer JWT authentication: header -> verified claims -> user (found, or created from `sub`).

`authenticate_bearer` is the whole check, callable outside DRF (the MCP endpoint reuses it);
SubClaimJWTAuthentication is DRF's face of it. Every refusal is an exception that api.errors
turns into the contract's answer: InvalidToken or AccountDisabled (401, with a reason) or
IssuerUnavailable (503).
"""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.db import with_reconnect

from . import user_cache
from .exceptions import AccountDisabled, InvalidToken
from .models import User
from .services import user_get_or_create_from_sub
from .tokens import subject, verify_access_token


def bearer_token(header: bytes | str) -> str | None:
    """The token of a `Bearer` header (scheme case-insensitive); None for no or another scheme."""
    if isinstance(header, str):  # outside DRF (WSGI headers are latin-1 text already)
        header = header.encode("latin-1", "replace")
    parts = header.split()
    if not parts or parts[0].lower() != b"bearer":
        return None
    if len(parts) != 2:
        raise InvalidToken("Authorization header must be 'Bearer <token>'.", reason="malformed")
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidToken("Token is malformed.", reason="malformed") from None


def user_for_claims(claims: Mapping) -> User:
    """The active user the verified claims name, created (or its profile updated) from them.

    Remembered for a few seconds per process (accounts.user_cache: deactivation elsewhere may
    lag by that much)."""
    user_id, email, name = subject(claims), claims.get("email"), claims.get("name")
    user = user_cache.cached_user(
        user_id,
        (email, name),
        lambda: with_reconnect(
            lambda: user_get_or_create_from_sub(user_id=user_id, email=email, name=name)
        ),
    )
    if not user.is_active:
        raise AccountDisabled()
    return user


def authenticate_bearer(header: bytes | str) -> tuple[User, Mapping] | None:
    """(user, claims) for an `Authorization` header; None when it carries no Bearer token."""
    raw = bearer_token(header)
    if raw is None:
        return None
    claims = verify_access_token(raw)
    return user_for_claims(claims), claims


class SubClaimJWTAuthentication(BaseAuthentication):
    """`Authorization: Bearer <jwt>`; the first request with an unknown `sub` creates the user.

    DRF's BaseAuthentication, not simplejwt's JWTAuthentication: simplejwt verifies one
    algorithm with one key, and tokens here are HS256 or come from a JWKS (accounts.tokens).
    """

    def authenticate(self, request):
        result = authenticate_bearer(get_authorization_header(request))
        if result is not None:
            request._request.api_user_id = result[0].pk  # for the access log
        return result

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # a 401, not a 403, with WWW-Authenticate


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
                "secret, or EdDSA/ES256/RS256 from its JWKS). `sub` is the user's id: 1 to "
                "255 characters without control characters or `/` (a UUID in any letter case "
                "is the same user). A refused token is a 401 whose `error.details.reason` "
                "says why."
            ),
        }
