"""Admin for tasks: searchable, filterable, owner by autocomplete, bulk (un)complete actions.

Every save goes through the services, so the admin refuses what the API refuses (the same
messages) and completing a recurring task here creates its next occurrence, as in the API.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from .models import Task
from .rules import normalize_tags
from .services import task_create, task_delete, task_restore, task_set_completed_many, task_update
from .trash import task_purge_many

EDITABLE = ("title", "description", "completed", "priority", "tags", "due_at", "remind_at")
EDITABLE += ("recurrence",)


class TagsInput(forms.CharField):
    """Tags as one line, separated by commas (a tag never contains one)."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return normalize_tags([part for part in text.split(",") if part.strip()])


class TaskAdminForm(forms.ModelForm):
    tags = TagsInput(required=False, help_text="Separated by commas: work, home, errands.")

    class Meta:
        model = Task
        fields = ("user", *EDITABLE)


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("upcoming", "Upcoming"), ("none", "No due date")]

    def queryset(self, request, queryset):
        now = timezone.now()
        return {
            "overdue": lambda: queryset.filter(completed=False, due_at__lt=now),
            "upcoming": lambda: queryset.filter(due_at__gte=now),
            "none": lambda: queryset.filter(due_at__isnull=True),
        }.get(self.value(), lambda: queryset)()


class RecurringFilter(admin.SimpleListFilter):
    title = "recurring"
    parameter_name = "recurring"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(recurrence__isnull=self.value() == "no")
        return queryset


class TrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("in", "In the trash"), ("out", "Not in the trash")]

    def queryset(self, request, queryset):
        if self.value() in ("in", "out"):
            return queryset.filter(deleted_at__isnull=self.value() == "out")
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Every user's tasks; the list page runs a fixed number of queries however many rows."""

    form = TaskAdminForm
    list_display = (
        "title",
        "owner_email",
        "priority",
        "tag_list",
        "due_at",
        "recurrence",
        "completed",
        "deleted_at",
        "created_at",
        "updated_at",
    )
    list_filter = (
        TrashFilter,
        "completed",
        "priority",
        DueFilter,
        RecurringFilter,
        "due_at",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    search_fields = ("title", "description", "tag_keys", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)  # a search box, not a dropdown of every user
    fields = (
        "user",
        "title",
        "description",
        "completed",
        "completed_at",
        "priority",
        "tags",
        "due_at",
        "remind_at",
        "recurrence",
        "next_occurrence",
        "version",
        "deleted_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "completed_at",
        "next_occurrence",
        "version",
        "deleted_at",
        "created_at",
        "updated_at",
    )
    ordering = ("-created_at", "-id")
    actions = ("mark_completed", "mark_not_completed", "restore_from_trash")

    def has_change_permission(self, request, obj=None):
        # A task in the trash is read-only: restore it first (the API answers 404 for it too).
        if obj is not None and obj.deleted_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The owner is chosen once: the services never move a task to another user.
        return (*self.readonly_fields, "user") if obj else self.readonly_fields

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, task: Task) -> str:
        return task.user.email or f"(no email) {task.user_id}"

    @admin.display(description="tags")
    def tag_list(self, task: Task) -> str:
        return ", ".join(task.tags)

    def save_model(self, request, obj, form, change):
        """Through the services: their validation, derived columns and recurrence."""
        data = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = task_update(user=obj.user, task_id=obj.pk, **changed)
        else:
            saved = task_create(user=form.cleaned_data["user"], **data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.delete_queryset(request, Task.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Gone for good, through the trash: each task leaves a tombstone for the sync feed."""
        for task in queryset.select_related("user"):
            if task.deleted_at is None:
                task_delete(user=task.user, task_id=task.pk)
            task_purge_many(user=task.user, task_ids=[task.pk])

    @admin.action(description="Restore selected tasks from the trash")
    def restore_from_trash(self, request, queryset):
        restored = sum(
            task_restore(user=task.user, task_id=task.pk) is not None
            for task in queryset.filter(deleted_at__isnull=False).select_related("user")
        )
        self.message_user(request, f"{restored} task(s) restored.", messages.SUCCESS)

    @admin.action(description="Mark selected tasks as completed")
    def mark_completed(self, request, queryset):
        count = task_set_completed_many(tasks=queryset, completed=True)
        self.message_user(request, f"{count} task(s) marked as completed.", messages.SUCCESS)

    @admin.action(description="Mark selected tasks as not completed")
    def mark_not_completed(self, request, queryset):
        count = task_set_completed_many(tasks=queryset, completed=False)
        self.message_user(request, f"{count} task(s) marked as not completed.", messages.SUCCESS)
