"""Reads of tasks: the one place that scopes tasks to their owner."""

from django.db.models import QuerySet

from .models import Task


def task_list(*, user) -> QuerySet[Task]:
    """The user's tasks, newest first."""
    return Task.objects.filter(user=user).order_by("-created_at", "-id")


TASK_ROW_FIELDS = ("id", "user_id", "title", "description", "completed", "created_at", "updated_at")


def task_rows(*, user) -> QuerySet:
    """The user's tasks as plain rows (dicts), newest first: the list endpoint's lean read path."""
    return task_list(user=user).values(*TASK_ROW_FIELDS)


def task_get(*, user, task_id: int) -> dict | None:
    """One of the user's tasks as a plain row, or None (missing and not-yours look the same)."""
    return task_rows(user=user).filter(pk=task_id).first()
