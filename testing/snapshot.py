"""Helpers for the hostile-input tests: what is stored, so a test can show nothing changed."""

from accounts.models import User
from tasks.models import Task


def stored() -> tuple[list, list]:
    """Every task and every user, field by field."""
    tasks = Task.objects.order_by("pk").values_list(
        "pk", "user_id", "title", "description", "completed", "created_at", "updated_at"
    )
    users = User.objects.order_by("pk").values_list("pk", "email", "name", "is_active", "password")
    return list(tasks), list(users)


def error_code(response) -> str:
    return response.json()["error"]["code"]
