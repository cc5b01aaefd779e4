"""Helpers shared by the task API tests: URLs, expected bodies."""

from datetime import UTC, datetime


def url(base: str, *parts, slash: str = "") -> str:
    """`base/part/part` plus the optional trailing slash."""
    return "/".join([base, *(str(part) for part in parts)]) + slash


def iso(value: datetime) -> str:
    """A datetime as the API writes it: ISO 8601 UTC ending in `Z`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def task_json(task) -> dict:
    """The API's representation of a task, from the database row."""
    task.refresh_from_db()
    return {
        "id": task.pk,
        "user_id": str(task.user_id),
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def error(code: str, message: str, details: dict | None = None) -> dict:
    """The whole error envelope."""
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"success": False, "error": body}
