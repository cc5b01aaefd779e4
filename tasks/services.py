"""Every write to tasks, scoped to the owner in its SQL.

Where scoping happens: `selectors.task_list` for every read and for delete; the hand-written
WHERE clause of `_update_owned` for every update (the one other place; a test holds the two
to the same filters).

A write is one `UPDATE ... RETURNING` statement, except when it completes a recurring task:
then the completion, the next occurrence and the link between them are one transaction (see
`_write`)."""

import functools
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Task, derived_columns
from .recurrence import Messages as RuleMessages
from .recurrence import next_occurrence
from .rules import Priority, normalize_tags
from .selectors import task_list

_OWNER_COLUMN = Task._meta.get_field("user").column
_COLUMNS = ", ".join(f.column for f in Task._meta.concrete_fields)
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
    task.save(force_insert=True)
    return task


def task_update(*, user, task_id: int, **changes) -> Task | None:
    """Change some of a task's editable fields; the others are left exactly as stored.

    Completing a recurring task this way creates its next occurrence, as `/complete` does.
    """
    changes = {name: value for name, value in changes.items() if name in _EDITABLE}
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    if changes.get("recurrence") is not None and "due_at" in changes and not changes["due_at"]:
        raise _needs_due("recurrence")
    _validate(**{name: value for name, value in changes.items() if name != "completed"})
    return _write(user_id=user.pk, task_id=task_id, changes=changes)


def task_set_completed(*, user, task_id: int, completed: bool | None = None) -> Task | None:
    """Set a task's completion, or flip it atomically when no value is given; completing a
    recurring task creates its next occurrence."""
    changes = {"completed": TOGGLE if completed is None else completed}
    return _write(user_id=user.pk, task_id=task_id, changes=changes)


def task_delete(*, user, task_id: int) -> bool:
    """Delete one of the user's tasks; False when there was none to delete."""
    deleted, _ = task_list(user=user).filter(pk=task_id).delete()
    return deleted > 0


def task_set_completed_many(*, tasks: QuerySet[Task], completed: bool) -> int:
    """Set completion on many tasks (admin actions), each as `task_set_completed` would, in one
    transaction (recurring ones spawn their next occurrence); returns how many changed."""
    changed = 0
    with transaction.atomic():
        for task_id, user_id in tasks.exclude(completed=completed).values_list("id", "user_id"):
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
    sets.append("updated_at = %s")
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


def _update_owned(*, user_id, task_id: int, sets: list[str], params: list, where: list[str]):
    """UPDATE one of the user's tasks (if it also matches `where`) and return it as it now is,
    or None.

    One statement (`UPDATE ... RETURNING`): no read-modify-write, so a toggle can never
    undo a concurrent title edit, and only the named columns are written. Django's update()
    cannot return rows, so the statement is written here, and its WHERE clause is the second
    place that scopes tasks to their owner: it filters what `task_list(user=...)` filters
    (test_services.py compares them). Compiling the selector's queryset instead cost a tenth
    of a toggle's time.
    """
    guard = "".join(f" AND {condition}" for condition in where)
    sql = (
        f"UPDATE {Task._meta.db_table} SET {', '.join(sets)} "
        f"WHERE id = %s AND {_OWNER_COLUMN} = %s{guard} RETURNING {_COLUMNS}"
    )
    owner = _prep("user", user_id)
    rows = list(Task.objects.raw(sql, [*params, task_id, owner]))
    return rows[0] if rows else None


def _write(*, user_id, task_id: int, changes: dict) -> Task | None:
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
    update = functools.partial(
        _update_owned, user_id=user_id, task_id=task_id, sets=sets, params=params
    )
    rule_guard = _rule_keeps_due_date(changes)
    keep = [rule_guard[0]] if rule_guard else []
    spawn_if = _spawn_condition(changes)
    task = update(where=[*keep, f"NOT ({spawn_if})"] if spawn_if else keep)
    if task is None and rule_guard:
        _refuse_rule_without_due_date(user_id=user_id, task_id=task_id, guard=rule_guard)
    if task is not None or spawn_if is None:
        return task
    with transaction.atomic():
        task = update(where=keep)
        if task is not None and task.completed_at == now and task.next_occurrence_id is None:
            _spawn_next(task, now)
    if task is None and rule_guard:  # changed meanwhile
        _refuse_rule_without_due_date(user_id=user_id, task_id=task_id, guard=rule_guard)
    return task


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
    child.save(force_insert=True)
    Task.objects.filter(pk=task.pk).update(next_occurrence_id=child.pk)
    task.next_occurrence_id = child.pk
