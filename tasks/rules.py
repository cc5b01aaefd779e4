"""What a task's planning fields accept, with every message in one place: priorities, tags, due
dates, and the case folding that search and tags use. Serializers, services, filters, the admin
and the MCP tools all call these, so they refuse the same things with the same words."""

import unicodedata
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


class Priority(models.IntegerChoices):
    """Stored as 1/2/3 so that it orders low < medium < high; named in the API."""

    LOW = 1, "low"
    MEDIUM = 2, "medium"
    HIGH = 3, "high"


PRIORITY_NAMES = {value: label for value, label in Priority.choices}  # 2 -> "medium"
PRIORITY_VALUES = {label: value for value, label in Priority.choices}  # "medium" -> 2


class Messages:
    PRIORITY = "Priority must be low, medium or high."
    TAGS_TYPE = "Tags must be a list of strings."
    TOO_MANY_TAGS = f"At most {MAX_TAGS} tags."
    TAG_LENGTH = "Tag {n} must be 1 to " + str(MAX_TAG_LENGTH) + " characters once trimmed."
    TAG_CHARACTERS = "Tag {n} may not contain commas or control characters."
    DATETIME = "Must be an ISO 8601 date-time with a UTC offset or Z."


def fold(text: str) -> str:
    """Case-folded text for comparisons that ignore letter case in every script.

    Unicode's canonical caseless form: `ÉCOLE` and `école` fold alike, and so do `STRASSE` and
    `straße` (both become `strasse`), whichever way the accents were composed.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())


def parse_priority(name) -> int:
    """`"high"` -> 3; anything else is a ValidationError."""
    if not isinstance(name, str) or name not in PRIORITY_VALUES:
        raise ValidationError(Messages.PRIORITY, code="invalid_priority")
    return PRIORITY_VALUES[name]


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def clean_tag(tag, n: int = 1) -> str:
    """One tag, trimmed; 1..50 characters without commas or control characters."""
    if not isinstance(tag, str):
        raise ValidationError(Messages.TAGS_TYPE, code="invalid_tags")
    tag = tag.strip()
    if not 1 <= len(tag) <= MAX_TAG_LENGTH:
        raise ValidationError(Messages.TAG_LENGTH.format(n=n), code="invalid_tags")
    if "," in tag or any(map(_is_control, tag)) or "," in fold(tag):
        raise ValidationError(Messages.TAG_CHARACTERS.format(n=n), code="invalid_tags")
    return tag


def normalize_tags(tags) -> list[str]:
    """The tags as stored: at most 20 sent, each trimmed, duplicates that differ only in letter
    case collapsed into their first spelling, order kept."""
    if not isinstance(tags, list | tuple):
        raise ValidationError(Messages.TAGS_TYPE, code="invalid_tags")
    if len(tags) > MAX_TAGS:
        raise ValidationError(Messages.TOO_MANY_TAGS, code="invalid_tags")
    kept: dict[str, str] = {}
    for n, tag in enumerate(tags, start=1):
        tag = clean_tag(tag, n)
        kept.setdefault(fold(tag), tag)
    return list(kept.values())


def tag_keys(tags: list[str]) -> str:
    """The searchable form of a tag list: `,work,home,` (folded; tags never contain commas),
    so that `tag_keys LIKE '%,work,%'` finds a tag on both databases."""
    return "," + ",".join(fold(tag) for tag in tags) + "," if tags else ""


def check_due_datetime(value: datetime) -> None:
    """A due or reminder time says its offset (the API never guesses a time zone)."""
    if value.tzinfo is None:
        raise ValidationError(Messages.DATETIME, code="invalid_datetime")
