"""Strict JSON field types: a number is not a string, a string is not a boolean, and a date-time
says its UTC offset."""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that accepts only JSON strings (DRF's own turns 42 into "42")."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that accepts only JSON `true` and `false` (DRF's own takes "yes", 1...)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that accepts only JSON integers (DRF's own takes "5", 5.0, true...)."""

    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


AWARE_DATETIME = "Must be an ISO 8601 date-time with a UTC offset or Z."


def parse_aware_datetime(value) -> datetime:
    """An ISO 8601 date-time that says its UTC offset (`Z` or `+02:00`), in UTC; ValueError else.

    A time without an offset is refused rather than guessed (the API never assumes a zone).
    """
    if (
        not isinstance(value, str)
        or len(value) > 64
        or not (value.isascii() and value.isprintable())
    ):
        raise ValueError(AWARE_DATETIME)
    try:
        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            raise ValueError(AWARE_DATETIME)
        # Not astimezone(): it fails on 0001-01-01 even in UTC.
        return (parsed.replace(tzinfo=None) - parsed.utcoffset()).replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # out-of-range fields; 9999-12-31T23:00-01:00
        raise ValueError(AWARE_DATETIME) from None


class StrictDateTimeField(serializers.DateTimeField):
    """A JSON string holding a date-time with an offset; rendered in UTC with `Z`.

    DRF's own takes a naive time and silently gives it the server's zone.
    """

    default_error_messages = {"invalid": AWARE_DATETIME}

    def to_internal_value(self, value):
        try:
            return parse_aware_datetime(value)
        except ValueError:
            self.fail("invalid")
