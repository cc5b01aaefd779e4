"""Persistent database connections that heal themselves without a per-request ping."""

import select
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")


def with_reconnect(fn: Callable[[], T]) -> T:
    """Run the request's first query; if the kept-alive connection has gone stale, reconnect once.

    Django's CONN_HEALTH_CHECKS would cost a `SELECT 1` round trip on every request. Instead the
    first real statement is the health check: when it fails on a connection that was open
    before (the database restarted, a proxy dropped it), the connection is replaced and the
    statement retried. If the database is really down the retry fails too and the caller gets
    the OperationalError (503 SERVICE_UNAVAILABLE).
    """
    reused = connection.connection is not None
    try:
        return fn()
    except (OperationalError, InterfaceError):
        if not reused or connection.in_atomic_block:
            raise
        connection.close()
        return fn()


def close_if_hung_up() -> bool:
    """Close the idle persistent connection if the database has already hung up on it.

    No round trip: a zero-timeout poll() of its socket. An idle connection has nothing to read
    unless the server closed it (end of stream, a reset, or the FATAL message PostgreSQL sends
    before it terminates a session), so anything readable means it is dead. Django then opens
    a new one on the next query. Returns whether it closed the connection.
    """
    raw = connection.connection
    if raw is None or connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    if not raw.closed and not _readable(raw.fileno()):
        return False
    connection.close()
    return True


def _readable(fd: int) -> bool:
    """Whether the socket has something to read (or an error) right now, without waiting."""
    if not hasattr(select, "poll"):  # Windows
        readable, _, failed = select.select([fd], [], [fd], 0)
        return bool(readable or failed)
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def use_compiled_timestamptz_loader(sender, connection, **kwargs) -> None:
    """On PostgreSQL, parse `timestamptz` values with psycopg's C loader instead of Python.

    Django registers a pure-Python subclass of psycopg's loader (to pin the time zone), which
    parses every timestamp with a regular expression: a quarter of a 100-task list request's
    time (bench/RESULTS.md). The session time zone is already UTC (Django sets it), so the C
    loader's result is the same instant in UTC. Without the C extension nothing changes.
    """
    if connection.vendor != "postgresql":
        return
    try:
        from psycopg import adapt
        from psycopg_binary._psycopg import TimestamptzLoader as CompiledLoader
    except ImportError:  # pragma: no cover - psycopg without its binary package
        return

    class UTCTimestamptzLoader(adapt.Loader):
        """The C loader itself (psycopg then calls its C `load` directly: no Python call per
        value); this class only carries the `timezone` Django compares."""

        timezone = connection.timezone  # Django compares this to decide on per-cursor loaders

        def __new__(cls, oid, context=None):
            return CompiledLoader(oid, context)

    if connection.timezone_name == "UTC":
        connection.connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
