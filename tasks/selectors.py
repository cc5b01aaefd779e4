"""Reads of tasks: the one place that scopes tasks to their owner."""

from django.db.models import QuerySet

from .models import Task


def task_list(*, user) -> QuerySet[Task]:
    """The user's tasks, newest first."""
    return Task.objects.filter(user=user).order_by("-created_at", "-id")
