"""A task: a user's todo item."""

from django.conf import settings
from django.db import models


class Task(models.Model):
    """One todo item, owned by exactly one user."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    # null is part of the contract ("description": null), distinct from "".
    description = models.CharField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the list query: one user's tasks, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="task_user_newest_idx"),
            models.Index(fields=["completed"], name="task_completed_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="task_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title
