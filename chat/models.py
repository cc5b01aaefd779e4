"""A user's conversations with the assistant and their messages (the chat's only state)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    """One chat thread of one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Its last message.")

    class Meta:
        indexes = [
            models.Index(fields=["user", "-updated_at", "-id"], name="chat_conv_user_recent")
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Message(models.Model):
    """What the user said or what the assistant answered, in order."""

    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    tool_calls = models.JSONField(
        default=list, blank=True, help_text="The tools the assistant called for this answer."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="chat_msg_conv_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["user", "assistant"]), name="chat_message_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:50]}"
