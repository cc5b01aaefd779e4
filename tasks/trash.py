"""Purging the trash for good: each purged task leaves a tombstone with its change number, for
the sync feed (tasks.changes). Moving to the trash and back is services.task_delete/_restore.

Links between occurrences are left as they are: a purged task's id stays in its previous
occurrence's `next_occurrence_id` (so that task never spawns a second one) and in its next
occurrence's `previous_occurrence_id`; neither column has a database constraint to break.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .changes import take_change_numbers
from .models import Task, TaskTombstone

_OWNER_COLUMN = Task._meta.get_field("user").column


def _purge(*, user_id, where: str = "", params: tuple = ()) -> list[int]:
    """Delete the user's trashed tasks that also match `where`; their ids, oldest first.

    One transaction: the user's change counter is locked first (as every write takes it before
    the task rows), the rows go with `DELETE ... RETURNING`, and the tombstones get the next
    numbers. BEGIN, lock, DELETE, numbers, INSERT, COMMIT: 6 statements (4 when none matched).
    """
    owner = Task._meta.get_field("user").get_db_prep_save(user_id, connection)
    now = timezone.now()
    with transaction.atomic():
        take_change_numbers(owner, 0)  # locks the counter row
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Task._meta.db_table} WHERE {_OWNER_COLUMN} = %s "
                f"AND deleted_at IS NOT NULL{where} RETURNING id",
                [owner, *params],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        if ids:
            last = take_change_numbers(owner, len(ids))
            first = last - len(ids) + 1
            TaskTombstone.objects.bulk_create(
                TaskTombstone(user_id=owner, task_id=task_id, change_seq=first + n, purged_at=now)
                for n, task_id in enumerate(ids)
            )
    return ids


def task_purge(*, user, task_id: int) -> bool:
    """Remove one of the user's trashed tasks for good; False when it is not in the trash."""
    return bool(_purge(user_id=user.pk, where=" AND id = %s", params=(task_id,)))


# Ids per DELETE: a bulk purge by filter can name any number of tasks, and a statement takes
# only so many parameters (SQLite before 3.32: 999; PostgreSQL: 65535).
PURGE_CHUNK = 500


def task_purge_many(*, user, task_ids: list[int]) -> list[int]:
    """Remove the given trashed tasks of the user for good; the ids that were purged (one
    `_purge` per PURGE_CHUNK ids, inside the caller's transaction when there is one)."""
    purged = []
    for start in range(0, len(task_ids), PURGE_CHUNK):
        chunk = tuple(task_ids[start : start + PURGE_CHUNK])
        marks = ", ".join(["%s"] * len(chunk))
        purged += _purge(user_id=user.pk, where=f" AND id IN ({marks})", params=chunk)
    return purged


def task_empty_trash(*, user) -> int:
    """Remove everything in the user's trash for good; how many tasks that was."""
    return len(_purge(user_id=user.pk))


def trash_purge_expired(*, deleted_before: datetime) -> int:
    """Purge, for every user, what went to the trash before `deleted_before` (one transaction
    per user); how many tasks that was."""
    owners = (
        Task.objects.filter(deleted_at__lt=deleted_before)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by()
    )
    before = Task._meta.get_field("deleted_at").get_db_prep_value(deleted_before, connection)
    return sum(
        len(_purge(user_id=owner, where=" AND deleted_at < %s", params=(before,)))
        for owner in list(owners)
    )
