"""Reads of tasks. `task_list` is where every query on a user's tasks starts: the reads
(TaskViewSet.get_queryset) and delete; services.py's UPDATE filters the same way by hand."""

from django.db.models import QuerySet

from .models import Task

TASK_ROW_FIELDS = ("id", "user_id", "title", "description", "completed", "created_at", "updated_at")


def task_list(*, user) -> QuerySet[Task]:
    """The user's tasks, newest first: the one place that scopes tasks to their owner."""
    return Task.objects.filter(user=user).order_by("-created_at", "-id")


def task_rows(tasks: QuerySet[Task]) -> QuerySet:
    """Tasks as plain rows (dicts), the read path's shape: no model instances are built."""
    return tasks.values(*TASK_ROW_FIELDS)


def task_row(tasks: QuerySet[Task], *, task_id: int) -> dict | None:
    """One of `tasks` as a row, or None (for a scoped queryset: missing and not-yours alike)."""
    return task_rows(tasks).filter(pk=task_id).first()
