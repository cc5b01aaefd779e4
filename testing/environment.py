"""Outside services and tools a test needs: skipped where missing, a failure in CI."""

import os
import socket

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


def require(available: bool, reason: str) -> None:
    """Skip when an outside service or tool is missing; with REQUIRE_SERVICES=1 (CI) fail."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


def redis_available() -> bool:
    """Whether a Redis answers on 127.0.0.1:6379 (what CI starts)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
