"""EXPLAIN (ANALYZE) of the list's queries on PostgreSQL, for bench/INDEXES.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plan_explain .venv/bin/python bench/explain.py

Creates the database if needed, seeds demo users with 10,000 tasks each (the seed command's
realistic planning fields) once, then for each list request prints the page query's plan:
its top nodes, the rows it read, and the time PostgreSQL took.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from testing.auth import access_claims, sign  # noqa: E402

USERS = int(os.environ.get("EXPLAIN_USERS", 10))
TASKS = int(os.environ.get("EXPLAIN_TASKS", 10_000))
QUERIES = [
    "",
    "completed=false",
    "priority=high",
    "tag=health",
    "tag=health&tag=work",
    "due_after=2026-12-01T00:00:00Z&due_before=2026-12-08T00:00:00Z",
    "overdue=true",
    "has_due=false",
    "search=report",
    "ordering=due_at",
    "ordering=-due_at",
    "ordering=-priority,due_at",
    "ordering=title",
    "completed=false&ordering=due_at",
    "completed=false&tag=work&ordering=-priority,due_at&search=a",
    "offset=9950",
]


def page_sql(client: Client, query: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/tasks?{query}")
    assert response.status_code == 200, response.content[:300]
    return next(q["sql"] for q in captured.captured_queries if "OVER ()" in q["sql"] or
                "COUNT(" in q["sql"].upper())  # fmt: skip


def main() -> None:
    call_command("migrate", verbosity=0)
    if User.objects.filter(email="demo1@example.com").count() == 0:
        call_command("seed", users=USERS, tasks_per_user=TASKS, seed=1, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_task")
    user = User.objects.get(email="demo1@example.com")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {sign(access_claims(user.pk))}")
    for query in QUERIES:
        sql = page_sql(client, query)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        nodes = [line.strip() for line in plan if "->" in line or line == plan[0]]
        took = next(line for line in plan if line.startswith("Execution Time"))
        print(f"\n### `?{query or '(none)'}`  ({took})")
        for node in nodes[:8]:
            print("    " + re.sub(r"\s+\(cost=[^)]*\)", "", node))


if __name__ == "__main__":
    main()
