"""A strict, bounded JSON parser: size limit (413) and depth limit (400) before any work."""

import orjson
from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import PayloadTooLarge

# Deeper documents than this are refused; no valid request body nests more than a few levels.
MAX_JSON_DEPTH = 32


def _depth(value, limit: int) -> int:
    """Nesting depth of a decoded JSON value, giving up past `limit`."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


class JSONParser(parsers.JSONParser):
    """UTF-8 JSON only, at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes and `MAX_JSON_DEPTH` levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
        return data
