"""api.compiled.CompiledQuery: the queryset's SQL compiled once, run with new values, gives
exactly the rows the queryset gives (Django's converters included) on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from accounts.models import User
from api.compiled import CompiledQuery

pytestmark = pytest.mark.django_db

FIELDS = ("id", "email", "name", "is_active", "created_at", "last_login")
BY_ID = CompiledQuery(
    lambda user_id: User.objects.filter(pk=user_id).values(*FIELDS), user_id="\x00sentinel"
)


def test_rows_equal_the_querysets_for_each_new_value():
    users = UserFactory.create_batch(3, last_login=datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    users[1].is_active = False
    users[1].save()

    for user in users:
        assert BY_ID.rows(user_id=user.pk) == list(User.objects.filter(pk=user.pk).values(*FIELDS))
    assert BY_ID.rows(user_id="nobody") == []


def test_it_is_one_statement_through_djangos_cursor():
    user = UserFactory()
    BY_ID.rows(user_id=user.pk)  # compiled on first use

    with CaptureQueriesContext(connection) as queries:
        BY_ID.rows(user_id=user.pk)

    assert len(queries.captured_queries) == 1


def test_a_sentinel_that_is_not_exactly_one_parameter_is_refused():
    twice = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id, email=user_id).values("id"), user_id="s"
    )

    with pytest.raises(RuntimeError, match="appears 2 times"):
        twice.rows(user_id="x")
