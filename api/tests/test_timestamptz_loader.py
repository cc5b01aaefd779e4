"""PostgreSQL timestamps are parsed by psycopg's C loader and still come back as aware UTC."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from tasks.factories import TaskFactory
from tasks.models import Task


def test_the_compiled_loader_is_registered(postgres_only):
    from psycopg.postgres import types
    from psycopg.pq import Format

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)

    assert loader.__name__ == "UTCTimestamptzLoader"
    assert loader.timezone == connection.timezone  # what Django compares per cursor
    # What psycopg makes of it is the C loader itself: no Python call per value.
    assert type(loader(types["timestamptz"].oid)).__module__ == "psycopg_binary._psycopg"


@pytest.mark.django_db
def test_timestamps_round_trip_exactly_as_aware_utc(user):
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    task = TaskFactory(user=user)
    Task.objects.filter(pk=task.pk).update(created_at=moment)

    loaded = Task.objects.values_list("created_at", flat=True).get(pk=task.pk)

    assert loaded == moment
    assert loaded.utcoffset().total_seconds() == 0
