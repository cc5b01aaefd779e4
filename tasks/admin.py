"""Admin for tasks: searchable, filterable, owner by autocomplete, bulk (un)complete actions."""

from django.contrib import admin, messages

from .models import Task
from .services import task_set_completed_many


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Every user's tasks; the list page runs a fixed number of queries however many rows."""

    list_display = ("title", "owner_email", "completed", "created_at", "updated_at")
    list_filter = ("completed", "created_at", "updated_at")
    date_hierarchy = "created_at"
    search_fields = ("title", "description", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)  # a search box, not a dropdown of every user
    fields = ("user", "title", "description", "completed", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    ordering = ("-created_at", "-id")
    actions = ("mark_completed", "mark_not_completed")

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, task: Task) -> str:
        return task.user.email or f"(no email) {task.user_id}"

    @admin.action(description="Mark selected tasks as completed")
    def mark_completed(self, request, queryset):
        count = task_set_completed_many(tasks=queryset, completed=True)
        self.message_user(request, f"{count} task(s) marked as completed.", messages.SUCCESS)

    @admin.action(description="Mark selected tasks as not completed")
    def mark_not_completed(self, request, queryset):
        count = task_set_completed_many(tasks=queryset, completed=False)
        self.message_user(request, f"{count} task(s) marked as not completed.", messages.SUCCESS)
