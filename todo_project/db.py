"""Persistent database connections that heal themselves without a per-request ping."""

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
