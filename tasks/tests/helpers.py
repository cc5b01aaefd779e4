"""Helpers shared by the task API tests: URLs, expected bodies."""

from datetime import UTC, datetime

from django.db import connection

from tasks.rules import PRIORITY_NAMES


def url(base: str, *parts, slash: str = "") -> str:
    """`base/part/part` plus the optional trailing slash."""
    return "/".join([base, *(str(part) for part in parts)]) + slash


def iso(value: datetime | None) -> str | None:
    """A datetime as the API writes it: ISO 8601 UTC ending in `Z` (None stays None)."""
    if value is None:
        return None
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
        "completed_at": iso(task.completed_at),
        "priority": PRIORITY_NAMES[task.priority],
        "tags": task.tags,
        "due_at": iso(task.due_at),
        "remind_at": iso(task.remind_at),
        "recurrence": task.recurrence,
        "next_occurrence_id": task.next_occurrence_id,
        "version": task.version,
        "deleted_at": iso(task.deleted_at),
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def error(code: str, message: str, details: dict | None = None) -> dict:
    """The whole error envelope."""
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"success": False, "error": body}


def numbered_write() -> int:
    """Statements one write costs with its change number (tasks.changes): PostgreSQL one (a CTE
    takes the number); SQLite 4: the number's statement and the write's in a transaction
    (SAVEPOINT/RELEASE inside a test's transaction, BEGIN/COMMIT outside)."""
    return 1 if connection.vendor == "postgresql" else 4
