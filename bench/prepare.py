"""Benchmark fixture: a reader with 100 varied tasks, a writer, their tokens, SQL per request.

Run by bench/run.sh with the same environment as the server. Prints one JSON object.
"""

import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from tasks.models import ChangeCounter, Task, TaskTombstone, derived_columns  # noqa: E402
from tasks.rules import Priority  # noqa: E402

READER = uuid.UUID("00000000-0000-4000-8000-00000000be01")
WRITER = uuid.UUID("00000000-0000-4000-8000-00000000be02")
TASKS = 100


def token(user_id: uuid.UUID) -> str:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + 86400}
    if settings.JWT_ISSUER:
        claims["iss"] = settings.JWT_ISSUER
    if settings.JWT_AUDIENCE:
        claims["aud"] = settings.JWT_AUDIENCE
    return jwt.encode(claims, settings.BETTER_AUTH_SECRET, algorithm="HS256")


def _task(user: User, i: int) -> Task:
    """Varied as real lists are, so the `filtered` scenario (`?completed=false&ordering=
    -priority,due_at`) filters and sorts: a quarter completed, priorities low/medium/high, four
    fifths with a due date (the rest sort last)."""
    title, description = f"Task {i}", f"Description of task {i}" * 3
    completed = i % 4 == 3
    return Task(
        user=user,
        title=title,
        description=description,
        priority=(Priority.LOW, Priority.MEDIUM, Priority.HIGH)[i % 3],
        due_at=None if i % 5 == 4 else datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=37 * i),
        completed=completed,
        completed_at=datetime(2029, 12, 1, tzinfo=UTC) if completed else None,
        **derived_columns(title=title, description=description, tags=[]),
    )


def reset_user(user_id: uuid.UUID, email: str) -> list[int]:
    """The user with exactly TASKS fresh tasks; returns their ids."""
    User.objects.filter(pk=user_id).delete()
    user = User.objects.create(id=user_id, email=email, name=email.split("@")[0])
    Task.objects.bulk_create(_task(user, i) for i in range(TASKS))
    return list(Task.objects.filter(user=user).values_list("id", flat=True))


def statements_per_request(reader_token: str, writer_token: str, task_id: int, write_id: int):
    """SQL statements each scenario runs for an existing user, counted by Django."""
    client = Client()
    calls = {
        "list": lambda h: client.get("/api/tasks", **h),
        "get": lambda h: client.get(f"/api/tasks/{task_id}", **h),
        "toggle": lambda h: client.patch(f"/api/tasks/{write_id}/complete", **h),
        "create": lambda h: client.post(
            "/api/tasks", {"title": "bench"}, content_type="application/json", **h
        ),
    }
    counts = {}
    for name, call in calls.items():
        tok = reader_token if name in ("list", "get") else writer_token
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tok}", "HTTP_HOST": "127.0.0.1"}
        call(headers)  # warm up: connection opened, caches filled
        with CaptureQueriesContext(connection) as ctx:
            response = call(headers)
        assert response.status_code < 300, (name, response.status_code, response.content[:200])
        counts[name] = len(ctx.captured_queries)
    return counts


def compact() -> None:
    """Start every run from compact tables, as the floor and the peer do (run.sh truncates
    theirs). Ours are emptied by DELETE (the users, with their tasks, are made again), which
    leaves dead rows and grown indexes behind until a vacuum, and autovacuum may be off (it is
    on the bench machine: after a few runs, 200 live tasks sat in 50 MB among 206,000 dead
    rows, and a create's INSERT went through those indexes)."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Task, User, ChangeCounter, TaskTombstone)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL ANALYZE {', '.join(tables)}")


def main() -> None:
    reader_ids = reset_user(READER, "bench-reader@example.com")
    writer_ids = reset_user(WRITER, "bench-writer@example.com")
    reader_token, writer_token = token(READER), token(WRITER)
    queries = statements_per_request(reader_token, writer_token, reader_ids[0], writer_ids[0])
    Task.objects.filter(user_id=WRITER).exclude(id__in=writer_ids).delete()
    compact()
    print(
        json.dumps(
            {
                "reader_token": reader_token,
                "writer_token": writer_token,
                "reader_task_ids": reader_ids,
                "writer_task_ids": writer_ids,
                "queries": queries,
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
