"""The user's public id: the token's `sub` exactly as the issuer wrote it (UUIDs in one form).

Better Auth's default ids (32 random letters and digits), UUIDs and `auth0|...` style ids all
work. Only the canonical UUID text (8-4-4-4-12 hex digits) counts as a UUID and is lower-cased,
so `3F2B...-...` and `3f2b...-...` are one user; other spellings Python's `uuid.UUID` would
accept (32 bare hex digits, braces, `urn:uuid:`) are ordinary ids, kept as written, or an
issuer whose ids are 32 hex digits would see them changed.
"""

import re
import uuid

MAX_LENGTH = 255

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Control characters (C0, DEL, C1) and `/`, which could never be a path segment.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f/]")


def new_user_id() -> str:
    """The id of a user who signs up here: a new UUID, as text."""
    return str(uuid.uuid4())


def canonical_user_id(value: object) -> str | None:
    """The id as stored and compared, or None when it cannot be a user's id.

    A string of 1 to 255 characters without control characters or `/`, that any database
    can store (no lone surrogate, which a token's JSON may carry); a UUID in lower case.
    """
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_LENGTH:
        return None
    if _FORBIDDEN.search(value):
        return None
    if _UUID.fullmatch(value):
        return value.lower()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value
