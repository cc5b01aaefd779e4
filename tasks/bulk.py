"""Bulk actions on a user's tasks (POST .../bulk): one transaction, each task as its single
action would change it (completing a recurring task spawns its next occurrence)."""

from django.db import transaction

from .services import task_delete, task_restore, task_set_completed
from .trash import task_purge_many

ACTIONS = ("complete", "uncomplete", "delete", "restore", "purge")
# Which tasks an action applies to: out of the trash, or in it.
IN_TRASH = {"restore", "purge"}


def task_bulk(*, user, action: str, task_ids: list[int]) -> tuple[list[int], list[int]]:
    """Apply `action` to each of the tasks; (succeeded, not_found) ids, in the order given.

    A task that is not the user's, or not where the action needs it (in the trash for restore
    and purge, out of it for the others), is not found.
    """
    with transaction.atomic():
        if action == "purge":
            purged = set(task_purge_many(user=user, task_ids=task_ids))
            done = [task_id in purged for task_id in task_ids]
        else:
            done = [_one(user=user, action=action, task_id=task_id) for task_id in task_ids]
    succeeded = [task_id for task_id, ok in zip(task_ids, done, strict=True) if ok]
    not_found = [task_id for task_id, ok in zip(task_ids, done, strict=True) if not ok]
    return succeeded, not_found


def _one(*, user, action: str, task_id: int) -> bool:
    if action == "delete":
        return task_delete(user=user, task_id=task_id)
    if action == "restore":
        return task_restore(user=user, task_id=task_id) is not None
    completed = action == "complete"
    return task_set_completed(user=user, task_id=task_id, completed=completed) is not None
