"""Every write to tasks, each one a single statement scoped to the owner.

Where scoping happens: `selectors.task_list` for every read and for delete; the hand-written
WHERE clause of `_update_owned` for every update (the one other place; a test holds the two
to the same filters)."""

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from .models import Task
from .selectors import task_list

_OWNER_COLUMN = Task._meta.get_field("user")
_UPDATED_AT = Task._meta.get_field("updated_at")
_COLUMNS = ", ".join(f.column for f in Task._meta.concrete_fields)
_EDITABLE = ("title", "description", "completed")


def _validate(**fields) -> None:
    """Model-level field validation for just the given fields (API, admin and seed agree)."""
    excluded = [f.name for f in Task._meta.fields if f.name not in fields]
    Task(**fields).clean_fields(exclude=excluded)


def _update_owned(*, user, task_id: int, assignments: list[str], params: list) -> Task | None:
    """UPDATE one of the user's tasks and return the row as it now is (None: not the user's).

    One statement (`UPDATE ... RETURNING`): no read-modify-write, so a toggle can never
    undo a concurrent title edit, and only the named columns are written. Django's update()
    cannot return rows, so the statement is written here, and its WHERE clause is the second
    place that scopes tasks to their owner: it filters what `task_list(user=...)` filters
    (test_services.py compares them). Compiling the selector's queryset instead cost a tenth
    of a toggle's time.
    """
    sets = ", ".join([*assignments, f"{_UPDATED_AT.column} = %s"])
    sql = (
        f"UPDATE {Task._meta.db_table} SET {sets} "
        f"WHERE id = %s AND {_OWNER_COLUMN.column} = %s RETURNING {_COLUMNS}"
    )
    owner = _OWNER_COLUMN.get_db_prep_value(user.pk, connection)
    now = _UPDATED_AT.get_db_prep_value(timezone.now(), connection)
    rows = list(Task.objects.raw(sql, [*params, now, task_id, owner]))
    return rows[0] if rows else None


def task_create(
    *, user, title: str, description: str | None = None, completed: bool = False
) -> Task:
    """Create a task for `user`."""
    task = Task(user=user, title=title, description=description, completed=completed)
    task.full_clean(exclude=["user"], validate_constraints=False)
    task.save(force_insert=True)
    return task


def task_update(*, user, task_id: int, **changes) -> Task | None:
    """Change some of a task's editable fields; the others are left exactly as stored."""
    changes = {name: value for name, value in changes.items() if name in _EDITABLE}
    _validate(**changes)
    assignments = [f"{Task._meta.get_field(name).column} = %s" for name in changes]
    return _update_owned(
        user=user,
        task_id=task_id,
        assignments=assignments,
        params=list(changes.values()),
    )


def task_set_completed(*, user, task_id: int, completed: bool | None = None) -> Task | None:
    """Set a task's completion, or flip it atomically when no value is given."""
    if completed is None:
        return _update_owned(
            user=user,
            task_id=task_id,
            assignments=["completed = NOT completed"],
            params=[],
        )
    return _update_owned(
        user=user, task_id=task_id, assignments=["completed = %s"], params=[completed]
    )


def task_delete(*, user, task_id: int) -> bool:
    """Delete one of the user's tasks; False when there was none to delete."""
    deleted, _ = task_list(user=user).filter(pk=task_id).delete()
    return deleted > 0


def task_set_completed_many(*, tasks: QuerySet[Task], completed: bool) -> int:
    """Set completion on many tasks in one UPDATE (admin actions); returns how many changed."""
    return tasks.exclude(completed=completed).update(completed=completed, updated_at=timezone.now())
