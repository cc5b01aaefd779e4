"""Outside services and tools a test needs: skipped where missing, a failure in CI."""

import os

import pytest


def require(available: bool, reason: str) -> None:
    """Skip when an outside service or tool is missing; with REQUIRE_SERVICES=1 (CI) fail."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)
