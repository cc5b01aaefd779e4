"""Every write to tasks, scoped to the owner in its SQL.

Where scoping happens: `selectors.task_list` for every read and for delete; the hand-written
WHERE clause of `_update_owned` for every update (the one other place; a test holds the two
to the same filters).

A write is one `UPDATE ... RETURNING` statement, except when it completes a recurring task:
then the completion, the next occurrence and the link between them are one transaction (see
`_write`)."""

import functools
from collections.abc import Collection
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .changes import SEQ, numbered
from .exceptions import TaskPreconditionFailed
from .models import Task, derived_columns
from .recurrence import Messages as RuleMessages
from .recurrence import next_occurrence
from .rules import Priority, normalize_tags

_OWNER_COLUMN = Task._meta.get_field("user").column
_COLUMNS = ", ".join(f.column for f in Task._meta.concrete_fields)
_INSERTED = [f for f in Task._meta.concrete_fields if f.name != "id"]
_EDITABLE = (
    "title",
    "description",
    "completed",
    "priority",
    "tags",
    "due_at",
    "remind_at",
    "recurrence",
)
TOGGLE = object()  # `completed=TOGGLE`: flip it in the database, atomically


def _validate(**fields) -> None:
    """Model-level field validation for just the given fields (API, admin and seed agree)."""
    excluded = [f.name for f in Task._meta.fields if f.name not in fields]
    Task(**fields).clean_fields(exclude=excluded)


def _prep(name: str, value):
    return Task._meta.get_field(name).get_db_prep_save(value, connection)


def _needs_due(field: str) -> ValidationError:
    return ValidationError({field: [RuleMessages.NEEDS_DUE]}, code="needs_due_at")


def task_create(
    *,
    user,
    title: str,
    description: str | None = None,
    completed: bool = False,
    priority: int = Priority.MEDIUM,
    tags=(),
    due_at: datetime | None = None,
    remind_at: datetime | None = None,
    recurrence: str | None = None,
) -> Task:
    """Create a task for `user` (created completed, it does not spawn an occurrence)."""
    if recurrence is not None and due_at is None:
        raise _needs_due("recurrence")
    fields = {"title": title, "description": description, "tags": normalize_tags(tags)}
    task = Task(
        user=user,
        completed=completed,
        completed_at=timezone.now() if completed else None,
        priority=priority,
        due_at=due_at,
        remind_at=remind_at,
        recurrence=recurrence,
        **fields,
        **derived_columns(**fields),
    )
    task.full_clean(exclude=["user"], validate_constraints=False)
    _insert(task)
    return task


def task_update(
    *, user, task_id: int, versions: Collection[int] | None = None, **changes
) -> Task | None:
    """Change some of a task's editable fields; the others are left exactly as stored.

    Completing a recurring task this way creates its next occurrence, as `/complete` does.
    `versions` (from `If-Match`): write only while the task's version is one of them, else
    TaskPreconditionFailed; None: no condition. The same on every write below.
    """
    changes = {name: value for name, value in changes.items() if name in _EDITABLE}
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    if changes.get("recurrence") is not None and "due_at" in changes and not changes["due_at"]:
        raise _needs_due("recurrence")
    _validate(**{name: value for name, value in changes.items() if name != "completed"})
    return _write(user_id=user.pk, task_id=task_id, changes=changes, versions=versions)


def task_set_completed(
    *,
    user,
    task_id: int,
    completed: bool | None = None,
    versions: Collection[int] | None = None,
) -> Task | None:
    """Set a task's completion, or flip it atomically when no value is given; completing a
    recurring task creates its next occurrence."""
    changes = {"completed": TOGGLE if completed is None else completed}
    return _write(user_id=user.pk, task_id=task_id, changes=changes, versions=versions)


def task_delete(*, user, task_id: int, versions: Collection[int] | None = None) -> bool:
    """Move one of the user's tasks to the trash; False when there was none (or it is there
    already)."""
    task = _write(user_id=user.pk, task_id=task_id, changes={}, versions=versions, trash=True)
    return task is not None


def task_restore(*, user, task_id: int, versions: Collection[int] | None = None) -> Task | None:
    """Take one of the user's tasks out of the trash; None when it is not in the trash."""
    return _write(user_id=user.pk, task_id=task_id, changes={}, versions=versions, restore=True)


def task_set_completed_many(*, tasks: QuerySet[Task], completed: bool) -> int:
    """Set completion on many tasks (admin actions), each as `task_set_completed` would, in one
    transaction (recurring ones spawn their next occurrence); returns how many changed."""
    changed = 0
    with transaction.atomic():
        rows = tasks.exclude(completed=completed).filter(deleted_at__isnull=True)
        for task_id, user_id in rows.values_list("id", "user_id"):
            task = _write(user_id=user_id, task_id=task_id, changes={"completed": completed})
            changed += task is not None
    return changed


# --- The one UPDATE ---------------------------------------------------------------------------


def _assignments(changes: dict, now) -> tuple[list[str], list]:
    """`column = %s` assignments (and their parameters) for the changes and what they imply."""
    sets, params = [], []
    for name, value in {**changes, **derived_columns(**changes)}.items():
        if name == "completed":
            continue
        sets.append(f"{Task._meta.get_field(name).column} = %s")
        params.append(_prep(name, value))
    if "recurrence" in changes:  # a changed rule starts a new series at this task
        sets.append(
            "recurrence_position = CASE WHEN recurrence = %s THEN recurrence_position ELSE 1 END"
        )
        params.append(changes["recurrence"])
    completed = changes.get("completed")
    if completed is TOGGLE:
        sets += [
            "completed = NOT completed",
            "completed_at = CASE WHEN completed THEN NULL ELSE %s END",
        ]
        params.append(now)
    elif completed is True:  # completed_at: the time it last *became* true
        sets += [
            "completed = %s",
            "completed_at = CASE WHEN completed THEN completed_at ELSE %s END",
        ]
        params += [True, now]
    elif completed is False:
        sets += ["completed = %s", "completed_at = NULL"]
        params.append(False)
    sets += ["updated_at = %s", "version = version + 1", f"change_seq = {SEQ}"]
    params.append(now)
    return sets, params


def _spawn_condition(changes: dict) -> str | None:
    """SQL true for a row this write would complete while it is recurring and has no next
    occurrence yet (None: this write can complete no recurring task)."""
    if changes.get("completed") not in (True, TOGGLE):
        return None
    if "recurrence" in changes:
        if changes["recurrence"] is None:
            return None
        return "NOT completed AND next_occurrence_id IS NULL"
    return "NOT completed AND next_occurrence_id IS NULL AND recurrence IS NOT NULL"


def _rule_keeps_due_date(changes: dict) -> tuple[str, dict, str] | None:
    """For a write that could leave a rule without a due date: the SQL the row must satisfy, the
    filter of rows that would not, and the field to blame (None: this write cannot)."""
    if "due_at" in changes and changes["due_at"] is None and "recurrence" not in changes:
        return "recurrence IS NULL", {"recurrence__isnull": False}, "due_at"
    if changes.get("recurrence") is not None and "due_at" not in changes:
        return "due_at IS NOT NULL", {"due_at__isnull": True}, "recurrence"
    return None


def _update_owned(
    *, user_id, task_id: int, sets: list[str], params: list, where: list[str], trashed=False
):
    """UPDATE one of the user's tasks (if it also matches `where`) and return it as it now is,
    or None. Only tasks out of the trash, or only those in it (`trashed`).

    One statement (`UPDATE ... RETURNING`): no read-modify-write, so a toggle can never
    undo a concurrent title edit, and only the named columns are written. Django's update()
    cannot return rows, so the statement is written here, and its WHERE clause is the second
    place that scopes tasks to their owner: it filters what `task_list(user=...)` filters
    (test_services.py compares them). Compiling the selector's queryset instead cost a tenth
    of a toggle's time.
    """
    trash = "deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"
    guard = "".join(f" AND {condition}" for condition in [trash, *where])
    sql = (
        f"UPDATE {Task._meta.db_table} SET {', '.join(sets)} "
        f"WHERE id = %s AND {_OWNER_COLUMN} = %s{guard} RETURNING {_COLUMNS}"
    )
    owner = _prep("user", user_id)
    with numbered(owner, sql, [*params, task_id, owner]) as (sql, params):
        rows = list(Task.objects.raw(sql, params))
    return rows[0] if rows else None


def _insert(task: Task) -> None:
    """INSERT a new task with the next change number of its owner (`changes.numbered`)."""
    columns, values, params = [], [], []
    for field in _INSERTED:
        columns.append(field.column)
        if field.name == "change_seq":
            values.append(SEQ)
            continue
        values.append("%s")
        params.append(field.get_db_prep_save(field.pre_save(task, True), connection))
    sql = (
        f"INSERT INTO {Task._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(values)}) RETURNING id, change_seq"
    )
    owner = _prep("user", task.user_id)
    with numbered(owner, sql, params) as (sql, params), connection.cursor() as cursor:
        cursor.execute(sql, params)
        task.pk, task.change_seq = cursor.fetchone()
    task._state.adding = False


def _write(
    *,
    user_id,
    task_id: int,
    changes: dict,
    versions: Collection[int] | None = None,
    trash: bool = False,
    restore: bool = False,
) -> Task | None:
    """Apply the changes to one task; completing a recurring task spawns its next occurrence.

    The common case is one autocommit statement: the UPDATE carries a guard that leaves alone
    a row it would complete while recurring. Only when the guard held the row back (or there
    was no row) does the write run again in a transaction: the UPDATE (which locks the row, so
    concurrent completions queue behind it), the next occurrence's INSERT and the link to it.
    The next writer then sees `completed` already true and the link set, and spawns nothing;
    the unique `previous_occurrence` column refuses a second occurrence in the database too.

    A write that would leave a rule without a due date is held back the same way (then a 422),
    rather than left to the database's check constraint: a failed statement would break the
    transaction of a caller that writes several tasks in one.
    """
    now = timezone.now()
    sets, params = _assignments(changes, now)
    if trash or restore:
        sets.insert(0, "deleted_at = %s")
        params.insert(0, now if trash else None)
    if versions is not None and not versions:  # no tag names this task: none can match
        return _refuse_stale(user_id=user_id, task_id=task_id, trashed=restore)
    update = functools.partial(
        _update_owned, user_id=user_id, task_id=task_id, sets=sets, params=params, trashed=restore
    )
    rule_guard = _rule_keeps_due_date(changes)
    keep = [rule_guard[0]] if rule_guard else []
    if versions is not None:
        keep.append(f"version IN ({', '.join(str(int(v)) for v in versions)})")
    spawn_if = _spawn_condition(changes)
    task = update(where=[*keep, f"NOT ({spawn_if})"] if spawn_if else keep)
    if task is None and rule_guard:
        _refuse_rule_without_due_date(user_id=user_id, task_id=task_id, guard=rule_guard)
    if task is None and spawn_if is not None:
        with transaction.atomic():
            task = update(where=keep)
            if task is not None and task.completed_at == now and task.next_occurrence_id is None:
                _spawn_next(task, now)
        if task is None and rule_guard:  # changed meanwhile
            _refuse_rule_without_due_date(user_id=user_id, task_id=task_id, guard=rule_guard)
    if task is None and versions is not None:
        _refuse_stale(user_id=user_id, task_id=task_id, trashed=restore)
    return task


def _refuse_stale(*, user_id, task_id: int, trashed: bool) -> None:
    """After a conditional write found no row: 412 with the task as it is, if it exists (in the
    trash when restoring, out of it otherwise); nothing when it does not (a 404)."""
    current = Task.objects.filter(
        pk=task_id, user_id=user_id, deleted_at__isnull=not trashed
    ).first()
    if current is not None:
        raise TaskPreconditionFailed(current)


def _refuse_rule_without_due_date(*, user_id, task_id: int, guard) -> None:
    """The 422 for a write the rule guard held back (and nothing when there is no such task)."""
    _, violated, field = guard
    if Task.objects.filter(pk=task_id, user_id=user_id, **violated).exists():
        raise _needs_due(field)


def _spawn_next(task: Task, now) -> None:
    """Create the occurrence after `task` (just completed) and link it: inside `_write`'s
    transaction, with the task's row locked."""
    found = next_occurrence(
        task.recurrence, due_at=task.due_at, now=now, position=task.recurrence_position
    )
    if found is None:  # COUNT or UNTIL reached, or nothing within the horizon
        return
    lead = task.due_at - task.remind_at if task.remind_at else None
    try:
        remind_at = found.due_at - lead if lead is not None else None
    except OverflowError:  # a reminder set centuries after the due date: none past year 9999
        remind_at = None
    copied = ("user_id", "title", "description", "priority", "tags", "recurrence")
    derived = ("title_folded", "description_folded", "tag_keys")
    child = Task(
        **{name: getattr(task, name) for name in (*copied, *derived)},
        due_at=found.due_at,
        remind_at=remind_at,
        recurrence_position=found.position,
        previous_occurrence_id=task.pk,
    )
    _insert(child)
    # The link is part of the completion's change (same transaction): no number of its own.
    Task.objects.filter(pk=task.pk).update(next_occurrence_id=child.pk)
    task.next_occurrence_id = child.pk
