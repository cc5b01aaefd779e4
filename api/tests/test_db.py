"""Self-healing persistent connections: a connection PostgreSQL has terminated is replaced."""

import time

import pytest
from django.db import connection

from accounts.factories import UserFactory
from accounts.models import User
from api.db import close_if_hung_up, with_reconnect

pytestmark = pytest.mark.django_db(transaction=True)


def _terminate_own_backend() -> None:
    """Have PostgreSQL end this process's session, as a restart or an idle timeout would."""
    pid = connection.connection.info.backend_pid
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def _wait_for_hang_up() -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if close_if_hung_up():
            return True
        time.sleep(0.01)
    return False


def test_close_if_hung_up_keeps_a_live_connection(postgres_only):
    connection.ensure_connection()
    raw = connection.connection

    assert close_if_hung_up() is False
    assert connection.connection is raw


def test_close_if_hung_up_drops_a_connection_the_server_terminated(postgres_only):
    UserFactory()
    connection.ensure_connection()
    _terminate_own_backend()

    assert _wait_for_hang_up() is True
    assert connection.connection is None
    assert User.objects.count() == 1  # a new connection, opened on demand


def test_with_reconnect_retries_once_on_a_terminated_connection(postgres_only):
    UserFactory()
    connection.ensure_connection()
    _terminate_own_backend()
    time.sleep(0.2)

    assert with_reconnect(User.objects.count) == 1
