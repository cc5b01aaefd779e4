"""Reads of conversations, always scoped to their owner."""

from django.db.models import QuerySet

from .models import Conversation, Message

# What the model is sent of a conversation's past: the last HISTORY_MESSAGES messages, and of
# those only the most recent ones that fit in HISTORY_CHARACTERS characters together.
HISTORY_MESSAGES = 20
HISTORY_CHARACTERS = 16_000


def conversation_list(*, user) -> QuerySet[Conversation]:
    """The user's conversations, the most recently active first."""
    return Conversation.objects.filter(user=user).order_by("-updated_at", "-id")


def conversation_get(*, user, conversation_id: int) -> Conversation | None:
    """One of the user's conversations; None for a missing one and another user's alike."""
    return conversation_list(user=user).filter(pk=conversation_id).first()


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages, oldest first."""
    return conversation.messages.order_by("id")


def message_history(*, conversation: Conversation) -> list[dict]:
    """The bounded history sent to the model: `{"role", "content"}` dicts, oldest first."""
    recent = list(
        message_list(conversation=conversation)
        .order_by("-id")
        .values("role", "content")[:HISTORY_MESSAGES]
    )
    kept, total = [], 0
    for message in recent:
        total += len(message["content"])
        if total > HISTORY_CHARACTERS:
            break
        kept.append(message)
    return kept[::-1]
