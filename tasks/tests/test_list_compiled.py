"""The list's SQL compiled once per shape of parameters (api.compiled.CompiledPages through
tasks.filters.list_shape): later requests of the same shape are the same list, for their own
user, with the data as it is now; a shape whose SQL depends on the time is never kept."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tasks.factories import TaskFactory
from tasks.filters import (
    LIST_PARAMETERS,
    TaskFilter,
    TaskFilterBackend,
    TaskOrderingFilter,
    TaskSearchFilter,
    list_shape,
)
from tasks.rules import Priority
from tasks.selectors import TASK_LIST_PAGES, task_list, task_rows
from tasks.views import TaskViewSet

from .helpers import error, task_json

pytestmark = pytest.mark.django_db

FILTERED = "completed=false&ordering=-priority,due_at&tag=work"


def _page(client, query: str) -> dict:
    response = client.get(f"/api/tasks?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_every_user_gets_their_own_rows_from_one_shape(user, other_user, client_for):
    mine = TaskFactory(user=user, tags=["work"], priority=Priority.HIGH)
    TaskFactory(user=user, tags=["work"], completed=True)
    theirs = TaskFactory.create_batch(2, user=other_user, tags=["Work"])

    first = _page(client_for(user), FILTERED)
    second = _page(client_for(other_user), FILTERED)  # the same shape: its compiled SQL

    assert first["data"] == [task_json(mine)]
    assert first["meta"]["count"] == 1
    assert {t["id"] for t in second["data"]} == {t.pk for t in theirs}
    assert second["meta"]["count"] == 2


def test_a_known_shape_shows_the_data_as_it_is_now(user, auth_client):
    TaskFactory(user=user, tags=["work"])
    assert _page(auth_client, FILTERED)["meta"]["count"] == 1

    added = TaskFactory(user=user, tags=["work"], priority=Priority.HIGH)

    page = _page(auth_client, FILTERED)
    assert page["meta"]["count"] == 2
    assert page["data"][0] == task_json(added)


@pytest.mark.parametrize("query", ["", FILTERED, "search=milk&ordering=title", "priority=high,low"])
def test_each_page_equals_the_querysets_page(user, auth_client, query):
    for n in range(7):
        TaskFactory(user=user, title=f"milk {n}", tags=["work"] if n % 2 else [],
                    priority=[Priority.LOW, Priority.HIGH][n % 2])  # fmt: skip
    # What the list was before its SQL was compiled once: the queryset of its parameters.
    expected = list(task_rows(_filtered(user, query)))

    for offset in range(0, 8, 3):
        page = _page(auth_client, f"{query}&limit=3&offset={offset}")
        assert [t["id"] for t in page["data"]] == [row["id"] for row in expected][offset:][:3]
        assert page["meta"]["count"] == len(expected)  # past the end too


def _filtered(user, query: str):
    view = TaskViewSet(action="list", format_kwarg=None, kwargs={})
    view.request = Request(APIRequestFactory().get(f"/api/tasks?{query}"))
    view.request.user = user
    return view.filter_queryset(task_list(user=user))


def test_a_known_shape_costs_one_statement(user, auth_client):
    TaskFactory.create_batch(3, user=user, tags=["work"])
    _page(auth_client, FILTERED)
    _page(auth_client, FILTERED)  # the user is cached now too

    with CaptureQueriesContext(connection) as queries:
        assert _page(auth_client, FILTERED)["meta"]["count"] == 3

    assert len(queries.captured_queries) == 1


def test_an_invalid_value_is_a_422_whatever_was_seen_before(auth_client):
    _page(auth_client, "completed=true")

    response = auth_client.get("/api/tasks?completed=maybe")

    assert response.status_code == 422
    assert response.json() == error(
        "VALIDATION_ERROR", "Must be true or false.", {"completed": ["Must be true or false."]}
    )


def test_overdue_is_never_kept_because_it_depends_on_the_time(user, auth_client):
    due = TaskFactory(user=user, due_at=timezone.now() + timedelta(seconds=1))
    kept = len(TASK_LIST_PAGES)
    assert _page(auth_client, "overdue=true")["data"] == []

    time.sleep(1.2)

    assert [t["id"] for t in _page(auth_client, "overdue=true")["data"]] == [due.pk]
    assert len(TASK_LIST_PAGES) == kept


def test_the_shape_is_the_known_parameters_in_a_fixed_order():
    a = list_shape(QueryDict("ordering=title&completed=true&tag=a&tag=b&limit=5&x=1"))
    b = list_shape(QueryDict("tag=a&x=2&completed=true&tag=b&ordering=title&offset=3"))

    assert a == b == (("completed", ("true",)), ("tag", ("a", "b")), ("ordering", ("title",)))
    assert list_shape(QueryDict("tag=b&tag=a")) != list_shape(QueryDict("tag=a&tag=b"))
    assert list_shape(QueryDict("completed=true&overdue=false")) is None


def test_the_shape_names_every_parameter_the_lists_filter_backends_read():
    # A backend reading a parameter that list_shape leaves out would be ignored by a kept shape.
    assert TaskViewSet.filter_backends == [TaskFilterBackend, TaskSearchFilter, TaskOrderingFilter]
    assert set(LIST_PARAMETERS) == {
        *TaskFilter.base_filters,
        TaskSearchFilter.search_param,
        TaskOrderingFilter.ordering_param,
    }
