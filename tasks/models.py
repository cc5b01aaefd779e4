"""A task: a user's todo item, with what people plan with (priority, tags, due date, reminder,
recurrence)."""

import orjson
from django.conf import settings
from django.db import models

from .recurrence import MAX_LENGTH as MAX_RULE_LENGTH
from .recurrence import Messages as RuleMessages
from .recurrence import validate_recurrence
from .rules import Priority, check_due_datetime, fold, normalize_tags, tag_keys

RECURRENCE_NEEDS_DUE = "task_recurrence_needs_due_at"  # the constraint's name


def validate_tags(value) -> None:
    normalize_tags(value)


class TagListField(models.JSONField):
    """A JSON list of strings, read with orjson: Django's JSONField runs json.loads on every
    row, a sixth of a 100-task list's time; orjson takes a tenth of that."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else orjson.loads(value)


class Task(models.Model):
    """One todo item, owned by exactly one user.

    Besides what the API shows, a task keeps derived columns that the services write with the
    fields they come from: `title_folded` / `description_folded` (case-folded, for search and
    for ordering by title) and `tag_keys` (the folded tags as `,work,home,`, for the tag
    filter), so every read is plain SQL that gives the same answers on SQLite and PostgreSQL.
    """

    id = models.BigAutoField(primary_key=True)
    # No index of its own: every index below leads with user_id (a user's rows, and the
    # cascade when a user is deleted, use them), and an index of user_id alone was one more
    # B-tree for every INSERT to maintain (bench/INDEXES.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    title = models.CharField(max_length=200)
    # null is part of the contract ("description": null), distinct from "".
    description = models.CharField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    tags = TagListField(default=list, blank=True, validators=[validate_tags])
    due_at = models.DateTimeField(null=True, blank=True, validators=[check_due_datetime])
    remind_at = models.DateTimeField(null=True, blank=True, validators=[check_due_datetime])
    # null is part of the contract ("recurrence": null): no rule.
    recurrence = models.CharField(  # noqa: DJ001
        max_length=MAX_RULE_LENGTH, null=True, blank=True, validators=[validate_recurrence]
    )
    # The task's place in its series of occurrences (1 when a rule is set): COUNT counts these.
    recurrence_position = models.PositiveIntegerField(default=1, editable=False)
    # The occurrence this task's completion created; never cleared, so a task spawns at most
    # one. The id may outlive its task (no database constraint: deleting one never touches
    # another).
    next_occurrence = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # never looked up by it
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # The task whose completion created this one: unique, so the database itself refuses a
    # second next occurrence of the same task, whatever races past the services.
    previous_occurrence = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    title_folded = models.TextField(default="", editable=False)
    description_folded = models.TextField(default="", editable=False)
    tag_keys = models.TextField(default="", blank=True, editable=False)
    # Grows by one with every successful change (restore included): the ETag's part that moves.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Set while the task is in the trash (then it is a 404 everywhere but the trash).
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The owner's change number of this task's latest write (tasks.changes): the sync feed's order.
    change_seq = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sync feed: one user's tasks changed after a change number.
            models.Index(fields=["user", "change_seq"], name="task_user_change_idx"),
            # The trash: one user's trashed tasks, most recently deleted first.
            models.Index(fields=["user", "-deleted_at"], name="task_user_trash_idx"),
            # Serves the list query: one user's tasks, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="task_user_newest_idx"),
            # Due-date ranges, overdue and the due-date orderings (bench/INDEXES.md).
            models.Index(fields=["user", "due_at"], name="task_user_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="task_title_not_empty"),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="task_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(completed=False, completed_at__isnull=True)
                | models.Q(completed=True, completed_at__isnull=False),
                name="task_completed_at_iff_completed",
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence__isnull=True) | models.Q(due_at__isnull=False),
                name=RECURRENCE_NEEDS_DUE,
                violation_error_message=RuleMessages.NEEDS_DUE,
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChangeCounter(models.Model):
    """The last change number given out for one user's tasks (tasks.changes takes the next one
    in the same statement or transaction as each write; the row lock orders them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last}"


class TaskTombstone(models.Model):
    """What stays of a purged task, for the sync feed: `{"id": 7, "purged": true}`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task_id = models.BigIntegerField(unique=True)  # ids are never reused
    change_seq = models.BigIntegerField()
    purged_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "change_seq"], name="tombstone_user_change_idx")]

    def __str__(self) -> str:
        return f"purged task {self.task_id}"


def derived_columns(**fields) -> dict:
    """The derived columns that go with the given source fields (title, description, tags)."""
    derived = {}
    if "title" in fields:
        derived["title_folded"] = fold(fields["title"])
    if "description" in fields:
        derived["description_folded"] = fold(fields["description"] or "")
    if "tags" in fields:
        derived["tag_keys"] = tag_keys(fields["tags"])
    return derived
