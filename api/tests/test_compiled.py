"""api.compiled.CompiledQuery: the queryset's SQL compiled once, run with new values, gives
exactly the rows the queryset gives (Django's converters included) on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from accounts.models import User
from api.compiled import CompiledPages, CompiledQuery

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


# --- CompiledPages ------------------------------------------------------------------------------


class Builds:
    """A list's query builder for `owner` (a name) that counts how often it is asked."""

    def __init__(self):
        self.calls = 0

    def __call__(self, owner: str, *, active: bool = True):
        def build():
            self.calls += 1
            return (
                User.objects.filter(name=owner, is_active=active).order_by("email").values(*FIELDS)
            )

        return build


def _orm_page(owner, limit, offset, active=True):
    return list(
        User.objects.filter(name=owner, is_active=active)
        .order_by("email")
        .values(*FIELDS)[offset : offset + limit]
    )


def test_pages_equal_the_orms_for_every_owner_limit_and_offset_and_the_shape_is_built_once():
    UserFactory.create_batch(5, name="ann")
    UserFactory.create_batch(3, name="bob")
    pages, builds = CompiledPages(), Builds()

    for owner, total in (("ann", 5), ("bob", 3), ("ann", 5)):
        for limit, offset in ((2, 0), (2, 2), (10, 1)):
            rows, count = pages.page(
                "shape", builds(owner), owner=owner, limit=limit, offset=offset
            )
            assert rows == _orm_page(owner, limit, offset)
            assert count == total

    assert builds.calls == 1  # the first request's; every later one substituted its owner
    assert pages.page("shape", builds("ann"), owner="ann", limit=5, offset=9) == ([], None)
    assert pages.page("shape", builds("nobody"), owner="nobody", limit=5, offset=0) == ([], None)


def test_a_page_is_one_statement_through_djangos_cursor():
    UserFactory.create_batch(2, name="ann")
    pages, builds = CompiledPages(), Builds()
    pages.page("shape", builds("ann"), owner="ann", limit=1, offset=0)

    with CaptureQueriesContext(connection) as queries:
        rows, count = pages.page("shape", builds("ann"), owner="ann", limit=1, offset=1)

    assert len(queries.captured_queries) == 1
    assert "LIMIT" in queries.captured_queries[0]["sql"]
    assert (len(rows), count) == (1, 2)


def test_each_key_has_its_own_sql():
    UserFactory(name="ann", is_active=True)
    UserFactory.create_batch(2, name="ann", is_active=False)
    pages, builds = CompiledPages(), Builds()

    active = pages.page("active", builds("ann"), owner="ann", limit=10, offset=0)
    inactive = pages.page("inactive", builds("ann", active=False), owner="ann", limit=10, offset=0)

    assert active == (_orm_page("ann", 10, 0), 1)
    assert inactive == (_orm_page("ann", 10, 0, active=False), 2)


def test_no_key_builds_every_time():
    UserFactory(name="ann")
    pages, builds = CompiledPages(), Builds()

    for _ in range(3):
        assert pages.page(None, builds("ann"), owner="ann", limit=10, offset=0)[1] == 1

    assert builds.calls == 3
    assert len(pages) == 0


def test_the_least_recently_used_shape_goes_first():
    UserFactory(name="ann")
    pages, builds = CompiledPages(size=2), Builds()
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
        pages.page(key, builds("ann"), owner="ann", limit=1, offset=0)
    assert builds.calls == 3

    pages.page("a", builds("ann"), owner="ann", limit=1, offset=0)
    pages.page("c", builds("ann"), owner="ann", limit=1, offset=0)
    assert builds.calls == 3
    pages.page("b", builds("ann"), owner="ann", limit=1, offset=0)
    assert builds.calls == 4
    assert len(pages) == 2


def test_an_owner_found_twice_among_the_parameters_is_run_but_not_kept():
    UserFactory(name="ann", email="ann")
    pages, calls = CompiledPages(), []

    def build():
        calls.append(1)
        return User.objects.filter(name="ann", email="ann").values("email")

    for _ in range(2):
        assert pages.page("shape", build, owner="ann", limit=5, offset=0) == ([{"email": "ann"}], 1)

    assert len(calls) == 2
    assert len(pages) == 0


def test_a_build_that_raises_keeps_nothing():
    pages = CompiledPages()

    def build():
        raise ValueError("invalid parameters")

    with pytest.raises(ValueError):
        pages.page("shape", build, owner="ann", limit=5, offset=0)

    assert len(pages) == 0
