"""Entity tags in `If-Match` / `If-None-Match` (RFC 9110 8.8.3, 13.1.1-2): parsing, comparing."""

import re

from .errors import InvalidParameter

# One entity tag, optionally weak, then a comma or the end (a comma may sit inside the quotes).
_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)')
ANY = "*"
MALFORMED = 'Must be "*" or a comma list of entity tags, such as "7-3" or W/"7-3".'


def parse_etags(header: str, name: str) -> list[tuple[bool, str]] | str:
    """`*`, or the (weak, opaque tag) pairs of the header; anything else is a 422 naming it."""
    if header.strip() == ANY:
        return ANY
    tags, position = [], 0
    while position < len(header):
        match = _TAG.match(header, position)
        if match is None or match.end() == position:
            raise InvalidParameter({name: [MALFORMED]})
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
    if not tags or header.rstrip().endswith(","):
        raise InvalidParameter({name: [MALFORMED]})
    return tags


def strong_etag(tag: str) -> str:
    return f'"{tag}"'


def weak_etag(tag: str) -> str:
    return f'W/"{tag}"'


def none_match(header: str | None, tag: str) -> bool:
    """Whether `If-None-Match` names the current tag (weak comparison: W/ ignored), or is `*`:
    then a GET answers 304."""
    if header is None:
        return False
    tags = parse_etags(header, "If-None-Match")
    return tags == ANY or any(opaque == tag for _, opaque in tags)
