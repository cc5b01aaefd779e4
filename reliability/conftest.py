"""Fixtures for tests against real server processes: a shared one, a factory, a committed user."""

from contextlib import ExitStack

import pytest
import requests

from accounts.factories import UserFactory
from testing.live_server import LiveServer, live_server_process


@pytest.fixture
def start_server(postgres_only, transactional_db):
    """`start_server(env=..., workers=..., threads=...)`: a LiveServer on the test database.

    Stopped at teardown; its log is printed then, so a failing test shows it.
    """
    servers: list[LiveServer] = []
    with ExitStack() as stack:

        def _start(**kwargs) -> LiveServer:
            server = stack.enter_context(live_server_process(**kwargs))
            servers.append(server)
            return server

        yield _start
        for server in servers:
            print(f"--- log of {server.url} ---\n{server.log()}")


@pytest.fixture(scope="module")
def _shared_server(django_db_setup):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    with live_server_process(workers=2, threads=8) as server:
        yield server


@pytest.fixture
def server(_shared_server, postgres_only, transactional_db) -> LiveServer:
    """A server of 2 workers x 8 threads on the test database, shared by a module's tests.

    Start your own with `start_server` when a test changes its environment or kills it.
    """
    assert _shared_server.alive, _shared_server.log()
    seen = len(_shared_server.log())
    yield _shared_server
    print(f"--- log of {_shared_server.url} during the test ---\n{_shared_server.log()[seen:]}")


@pytest.fixture
def owner(transactional_db):
    """A user, committed (the server process sees it)."""
    return UserFactory()


@pytest.fixture
def http():
    """A requests session with a short default timeout (a hung server fails the test, not CI)."""
    with requests.Session() as session:
        session.request = _with_timeout(session.request)
        yield session


def _with_timeout(request, default: float = 10):
    def _request(method, url, **kwargs):
        kwargs.setdefault("timeout", default)
        return request(method, url, **kwargs)

    return _request
