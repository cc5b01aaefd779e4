"""Shared fixtures: API clients, users and real HS256 tokens signed with BETTER_AUTH_SECRET."""

import json
import logging
import uuid
from io import StringIO

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import user_cache
from accounts.factories import UserFactory
from tasks.selectors import TASK_LIST_PAGES
from testing.auth import access_claims, bearer, sign


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache (local memory in tests): every test starts at zero."""
    cache.clear()
    user_cache.clear()  # and the users tokens named (accounts.user_cache): per test too
    TASK_LIST_PAGES.clear()  # and the list's compiled SQL (a test may patch a view's filters)
    yield
    cache.clear()
    user_cache.clear()
    TASK_LIST_PAGES.clear()


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
    return bearer(make_token(user))


@pytest.fixture
def client_for(make_token):
    """`client_for(user_or_id)`: an API client authenticated as that user."""

    return lambda user_or_id: bearer(make_token(user_or_id))


@pytest.fixture
def new_user_id() -> str:
    """An id nobody has: a UUID as a token's `sub` carries it (the user's id is text)."""
    return str(uuid.uuid4())


@pytest.fixture
def postgres_only(db):
    """Tests that need PostgreSQL's real concurrency (the suite also runs on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")


@pytest.fixture
def log_lines():
    """What the real console handler (JSON formatter, request-id filter) writes, as parsed lines."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = StringIO()
    previous = handler.setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.text = buffer.getvalue  # type: ignore[attr-defined]
    yield lines
    handler.setStream(previous)
