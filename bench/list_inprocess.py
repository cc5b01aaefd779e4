"""In-process timing of `GET /api/tasks` (a page of 100) through the whole Django stack.

    bench/list_inprocess.py --serve         # one tree: reads "<n> <query>" lines, answers seconds
    bench/list_inprocess.py OLD_TREE NEW_TREE [rounds] [requests]   # interleaves the two

The second form starts `--serve` in each tree (with that tree's code and a database of its own:
DATABASE_URL with `_a` / `_b` appended to the name), then alternates rounds between them and
prints the best round of each (ms per request): interleaving and best-of keep the VM's noise
out of the comparison. Each tree's database gets one user with 100 tasks that all match the
filtered query, so both queries render 100 rows (BENCH_DEFAULTS=1: rows with every planning field
at its default, and only the unfiltered list).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

QUERIES = {
    "plain": "",
    "filtered": "completed=false&priority=high,medium&tag=work&search=task"
    "&ordering=-priority,due_at&due_after=2020-01-01T00:00:00Z",
}


def serve() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from tasks.models import Task
    from testing.auth import access_claims, sign

    call_command("migrate", verbosity=0)
    Task.objects.all().delete()
    User.objects.filter(email="bench-list@example.com").delete()
    user = User.objects.create(email="bench-list@example.com")
    planned = hasattr(Task, "tag_keys") and not os.environ.get("BENCH_DEFAULTS")
    for n in range(100):
        extra = {}
        if planned:
            from datetime import UTC, datetime, timedelta

            from tasks.models import derived_columns

            title, description, tags = f"Task {n}", f"Description of task {n}" * 3, ["work"]
            extra = {
                "priority": 3,
                "tags": tags,
                "due_at": datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=n),
                **derived_columns(title=title, description=description, tags=tags),
            }
        Task.objects.create(
            user=user, title=f"Task {n}", description=f"Description of task {n}" * 3, **extra
        )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {sign(access_claims(user.pk))}")
    print("ready", flush=True)
    for line in sys.stdin:
        count, _, query = line.rstrip("\n").partition(" ")
        path = f"/api/tasks?{query}" if query else "/api/tasks"
        assert len(client.get(path).json()["data"]) == 100, path
        start = time.perf_counter()
        for _ in range(int(count)):
            client.get(path)
        print(time.perf_counter() - start, flush=True)


def compare(old: str, new: str, rounds: int, requests: int) -> None:
    here = Path(__file__).resolve()
    base_url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING",
           "DJANGO_SECRET_KEY": "bench-" + "x7" * 30, "BETTER_AUTH_SECRET": "bench-" + "y8" * 20,
           "DJANGO_ALLOWED_HOSTS": "testserver"}  # fmt: skip
    trees = {"old": old, "new": new}
    procs = {}
    for (name, tree), suffix in zip(trees.items(), ("_a", "_b"), strict=True):
        procs[name] = subprocess.Popen(
            [sys.executable, str(here), "--serve"],
            cwd=tree,
            env={**env, "DATABASE_URL": base_url + suffix},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert procs[name].stdout.readline().strip() == "ready"
    runs = [("old", "plain"), ("new", "plain"), ("new", "filtered")]
    if os.environ.get("BENCH_DEFAULTS"):  # new rows with every planning field at its default
        runs = runs[:2]
    best = {run: float("inf") for run in runs}
    for _ in range(rounds):
        for name, query in runs:
            proc = procs[name]
            proc.stdin.write(f"{requests} {QUERIES[query]}\n")
            proc.stdin.flush()
            seconds = float(proc.stdout.readline())
            best[name, query] = min(best[name, query], seconds / requests * 1000)
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    for (name, query), ms in best.items():
        print(f"{name:4} {query:9} {ms:6.3f} ms/request  ({1000 / ms:5.0f} req/s)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        old_tree, new_tree, *rest = sys.argv[1:]
        compare(old_tree, new_tree, *(int(v) for v in rest or (15, 200)))
