"""Admin for users: email-based (no username), with task counts and a way to their tasks."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .models import User


class UserCreationForm(AdminUserCreationForm):
    """Add a user by email; a password is optional (without one, the user signs in by token)."""

    class Meta:
        model = User
        fields = ("email", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PasswordFilter(admin.SimpleListFilter):
    """Users with a password versus those created from a token alone (who have none)."""

    title = "password"
    parameter_name = "has_password"

    def lookups(self, request, model_admin):
        return [("yes", "Set"), ("no", "None (created from a token)")]

    def queryset(self, request, queryset):
        unusable = {"password__startswith": UNUSABLE_PASSWORD_PREFIX}
        if self.value() == "yes":
            return queryset.exclude(**unusable)
        if self.value() == "no":
            return queryset.filter(**unusable)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users by email; lazily created ones show "no password" and may have no email at all."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Activity", {"fields": ("created_at", "last_login", "tasks_link")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("id", "created_at", "last_login", "tasks_link")
    list_display = (
        "email",
        "name",
        "is_active",
        "is_staff",
        "has_password",
        "created_at",
        "task_count",
    )
    list_display_links = ("email", "name")
    list_filter = ("is_active", "is_staff", "is_superuser", PasswordFilter, "created_at")
    search_fields = ("=id", "email", "name")  # the id exactly (any letter case), as tokens carry it
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    empty_value_display = "(none)"
    actions = ("deactivate", "activate")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description="tasks", ordering="task_count")
    def task_count(self, user: User):
        return format_html('<a href="{}">{}</a>', _tasks_url(user), user.task_count)

    @admin.display(description="password", boolean=True)
    def has_password(self, user: User) -> bool:
        return user.has_usable_password()

    @admin.display(description="tasks")
    def tasks_link(self, user: User):
        if user.pk is None:
            return "-"
        count = user.tasks.count()
        return format_html('<a href="{}">View this user’s {} task(s)</a>', _tasks_url(user), count)

    @admin.action(description="Deactivate selected users (their tokens stop working)")
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"{count} user(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Activate selected users")
    def activate(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(request, f"{count} user(s) activated.", messages.SUCCESS)


def _tasks_url(user: User) -> str:
    """The task changelist filtered to this user's tasks."""
    return f"{reverse('admin:tasks_task_changelist')}?{urlencode({'user__id__exact': user.pk})}"
