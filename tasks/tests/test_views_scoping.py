"""Reads start at TaskViewSet.get_queryset() and writes at the same selector: a filter added there
(or a DRF filter backend on the list) reaches every operation, as django-filter will."""

import pytest
from rest_framework.filters import BaseFilterBackend

from tasks import services
from tasks.factories import TaskFactory
from tasks.models import Task
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


def test_writes_are_scoped_by_the_same_selector_as_the_reads(auth_client, user, monkeypatch):
    def open_only(*, user):
        return Task.objects.filter(user=user, completed=False)

    monkeypatch.setattr(services, "task_list", open_only)
    done = TaskFactory(user=user, completed=True, title="Done")

    update = auth_client.patch(f"/api/tasks/{done.pk}", {"title": "Changed"}, format="json")
    toggle = auth_client.patch(f"/api/tasks/{done.pk}/complete")
    delete = auth_client.delete(f"/api/tasks/{done.pk}")

    assert [update.status_code, toggle.status_code, delete.status_code] == [404, 404, 404]
    done.refresh_from_db()
    assert (done.title, done.completed) == ("Done", True)


def test_a_selector_with_a_join_is_refused_by_the_raw_update(user, monkeypatch):
    monkeypatch.setattr(
        services, "task_list", lambda *, user: Task.objects.filter(user__email=user.email)
    )
    task = TaskFactory(user=user)

    with pytest.raises(ValueError, match="task table alone"):
        services.task_update(user=user, task_id=task.pk, title="x")
