"""Reads start at TaskViewSet.get_queryset() (a DRF filter backend, as django-filter will be, or a
filter added there reaches them); writes are scoped by the same selector or, for the raw UPDATE,
by the same filters."""

import pytest
from rest_framework.filters import BaseFilterBackend

from tasks.factories import TaskFactory
from tasks.selectors import task_list
from tasks.views import TaskViewSet

pytestmark = pytest.mark.django_db


class CompletedFilter(BaseFilterBackend):
    """`?completed=true|false`, as a filter backend would add it."""

    def filter_queryset(self, request, queryset, view):
        value = request.query_params.get("completed")
        return queryset if value is None else queryset.filter(completed=value == "true")


def test_the_list_goes_through_the_viewsets_filter_backends(auth_client, user, monkeypatch):
    monkeypatch.setattr(TaskViewSet, "filter_backends", [CompletedFilter])
    done = TaskFactory.create_batch(2, user=user, completed=True)
    TaskFactory.create_batch(3, user=user, completed=False)

    response = auth_client.get("/api/tasks?completed=true&limit=1")

    body = response.json()
    assert [row["id"] for row in body["data"]] == [done[1].pk]
    assert body["meta"]["count"] == 2
    assert body["meta"]["next"] == "http://testserver/api/tasks?completed=true&limit=1&offset=1"


def test_a_single_task_is_read_through_get_queryset(auth_client, user, monkeypatch):
    open_only = lambda self: task_list(user=self.request.user).filter(completed=False)  # noqa: E731
    monkeypatch.setattr(TaskViewSet, "get_queryset", open_only)
    done = TaskFactory(user=user, completed=True)
    open_task = TaskFactory(user=user, completed=False)

    assert auth_client.get(f"/api/tasks/{done.pk}").status_code == 404
    assert auth_client.get(f"/api/tasks/{open_task.pk}").json()["data"]["id"] == open_task.pk


def test_the_raw_update_filters_exactly_what_the_selector_filters(user):
    # services._update_owned writes `WHERE id = %s AND user_id = %s` by hand (for speed): a
    # filter added to task_list() (a trash, say) must be added there too. This fails first.
    where = task_list(user=user).filter(pk=7).query.where

    lookups = {(c.lhs.target.column, c.lookup_name, c.rhs) for c in where.children}

    assert lookups == {
        ("user_id", "exact", user.pk),
        ("id", "exact", 7),
        ("deleted_at", "isnull", True),  # `deleted_at IS NULL` in _update_owned
    }
