"""Shared fixtures: API clients, users and real HS256 tokens signed with BETTER_AUTH_SECRET."""

import os
import time
import uuid

import jwt
import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.factories import UserFactory


def sign(claims: dict, *, key: str | None = None, algorithm: str = "HS256", headers=None) -> str:
    """A JWT with exactly these claims (HS256 with the shared secret unless told otherwise)."""
    return jwt.encode(
        claims, key or settings.BETTER_AUTH_SECRET, algorithm=algorithm, headers=headers
    )


def access_claims(user_id, **overrides) -> dict:
    """Claims of a valid access token for this user id, as a Better Auth frontend would sign."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + 300}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache (local memory in tests): every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def make_token():
    """`make_token(user_or_id, **claim_overrides)`: a signed access token (None drops a claim)."""

    def _make(user_or_id, **overrides) -> str:
        user_id = getattr(user_or_id, "pk", user_or_id)
        return sign(access_claims(user_id, **overrides))

    return _make


@pytest.fixture
def auth_client(user, make_token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
    return client


@pytest.fixture
def client_for(make_token):
    """`client_for(user_or_id)`: an API client authenticated as that user."""

    def _client(user_or_id) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user_or_id)}")
        return client

    return _client


@pytest.fixture
def new_user_id() -> uuid.UUID:
    return uuid.uuid4()


def require(available: bool, reason: str) -> None:
    """Skip when an outside service or tool is missing; with REQUIRE_SERVICES=1 (CI) fail."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres_only(db):
    """Tests that need PostgreSQL's real concurrency (the suite also runs on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
