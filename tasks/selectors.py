"""Reads of tasks. `task_list` is where every query on a user's tasks starts: the reads
(TaskViewSet.get_queryset), the list's filters, search and ordering, the tag counts; `task_trash`
for the trash. services.py's UPDATE filters the same way by hand."""

from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from api.compiled import CompiledPages, CompiledQuery

from .models import Task
from .rules import fold

User = get_user_model()

TASK_ROW_FIELDS = (
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "completed_at",
    "priority",
    "tags",
    "due_at",
    "remind_at",
    "recurrence",
    "next_occurrence_id",
    "version",
    "deleted_at",
    "created_at",
    "updated_at",
)


def task_list(*, user) -> QuerySet[Task]:
    """The user's tasks (not in the trash), newest first: the one place that scopes tasks to
    their owner.

    The queryset is marked with its owner's id, so `task_row` can run its SQL compiled once;
    any further filter makes a new queryset without the mark (and the ORM's path)."""
    tasks = Task.objects.order_by("-created_at", "-id")
    # The filter is added to the SQL when the query is first used (Django's own deferred filter,
    # as its related managers use it): a single-task read runs compiled SQL and never does, and
    # building the filter was a twelfth of its time. Everything else sees the same query.
    tasks._defer_next_filter = True
    tasks = tasks.filter(user=user, deleted_at__isnull=True)
    tasks._owner_id = getattr(user, "pk", None)  # None: the schema generator's fake request
    return tasks


def task_trash(*, user) -> QuerySet[Task]:
    """The user's tasks in the trash, most recently deleted first."""
    return Task.objects.filter(user=user, deleted_at__isnull=False).order_by("-deleted_at", "-id")


def task_rows(tasks: QuerySet[Task]) -> QuerySet:
    """Tasks as plain rows (dicts), the read path's shape: no model instances are built."""
    return tasks.values(*TASK_ROW_FIELDS)


def task_row(tasks: QuerySet[Task], *, task_id: int) -> dict | None:
    """One of `tasks` as a row, or None (for a scoped queryset: missing and not-yours alike).

    For `task_list(user=...)` itself, the same SQL compiled once per process (api.compiled)."""
    owner_id = getattr(tasks, "_owner_id", None)
    if owner_id is not None and tasks.db == "default":
        rows = _TASK_ROW.rows(user_id=owner_id, task_id=task_id)
        return rows[0] if rows else None
    return task_rows(tasks).filter(pk=task_id).first()


_TASK_ROW = CompiledQuery(
    lambda user_id, task_id: task_rows(task_list(user=User(pk=user_id))).filter(pk=task_id)[:1],
    user_id="\x00compiled-user-id",
    task_id=-0x7E57_1D,
)


# The list's pages, their SQL compiled once per shape of filters, search and ordering
# (tasks.filters.list_shape): TaskViewSet.list builds the queryset from get_queryset() only for a
# shape it has not seen.
TASK_LIST_PAGES = CompiledPages()


def task_search(tasks: QuerySet[Task], text: str) -> QuerySet[Task]:
    """Tasks whose title or description contains every whitespace-separated word of `text`,
    as plain text (`%`, `_` and `\\` match themselves), letter case ignored in every script:
    both sides are case-folded in Python (the task's when it is written), so SQLite and
    PostgreSQL compare the same strings."""
    for word in fold(text).split():
        tasks = tasks.filter(Q(title_folded__contains=word) | Q(description_folded__contains=word))
    return tasks


def task_with_tags(tasks: QuerySet[Task], keys: list[str]) -> QuerySet[Task]:
    """Tasks that carry every one of the given (folded) tags."""
    for key in keys:
        tasks = tasks.filter(tag_keys__contains=f",{key},")
    return tasks


def task_tag_counts(tasks: QuerySet[Task]) -> list[dict]:
    """`[{"name", "count"}]` of the tags on `tasks`, sorted by name ignoring letter case.

    A tag written in different letter cases on different tasks is one tag; it is named by the
    spelling most of those tasks use (a tie goes to the spelling that sorts first).
    """
    spellings: dict[str, Counter] = defaultdict(Counter)
    for tags in tasks.exclude(tag_keys="").order_by().values_list("tags", flat=True):
        for tag in tags:
            spellings[fold(tag)][tag] += 1
    result = []
    for key in sorted(spellings):
        counts = spellings[key]
        name = min(counts, key=lambda spelling: (-counts[spelling], spelling))
        result.append({"name": name, "count": sum(counts.values())})
    return result
