"""Writes of conversations and messages."""

from django.db import transaction
from django.utils import timezone

from .models import Conversation, Message


def message_add(
    *, user, conversation: Conversation | None, role: str, content: str, tool_calls=()
) -> Message:
    """Add a message to the user's conversation (a new one when none is given) and mark the
    conversation active now."""
    now = timezone.now()
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation(user=user, created_at=now, updated_at=now)
            conversation.full_clean(exclude=["user"])
            conversation.save(force_insert=True)
        else:
            Conversation.objects.filter(pk=conversation.pk, user=user).update(updated_at=now)
        message = Message(
            conversation=conversation,
            role=role,
            content=content,
            tool_calls=list(tool_calls),
            created_at=now,
        )
        # The assistant's answer is kept as the model gave it, empty included (a model may end
        # its turn with tool calls and no text): the client's request was valid all the same.
        blank_allowed = ["content"] if role == Message.Role.ASSISTANT else []
        message.full_clean(exclude=["conversation", *blank_allowed])
        message.save(force_insert=True)
    return message
