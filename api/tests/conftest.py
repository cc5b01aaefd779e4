"""Fixtures for the HTTP-convention tests."""

import json
import logging
from io import StringIO

import pytest


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
