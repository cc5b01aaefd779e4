"""Signed tokens and authenticated clients, as a Better Auth frontend or our signin gives them."""

import time

import jwt
from django.conf import settings
from rest_framework.test import APIClient

# A password every validator accepts (for signup and signin in tests).
STRONG_PASSWORD = "correct-Horse-battery-7"


def sign(claims: dict, *, key: str | None = None, algorithm: str = "HS256", headers=None) -> str:
    """A JWT with exactly these claims (HS256 with the shared secret unless told otherwise)."""
    return jwt.encode(
        claims, key or settings.BETTER_AUTH_SECRET, algorithm=algorithm, headers=headers
    )


def access_claims(user_id, **overrides) -> dict:
    """Claims of a valid access token for this user id (None drops a claim)."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + 300}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def bearer(token: str) -> APIClient:
    """An API client that sends `Authorization: Bearer <token>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client
