"""Conversations and their messages in the admin (read-mostly: what the assistant was told)."""

from django.contrib import admin

from .models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("role", "content", "tool_calls", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__id", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("conversation",)
    raw_id_fields = ("conversation",)
    readonly_fields = ("created_at",)
