"""Writes of conversations and messages."""

from django.db import transaction
from django.utils import timezone

from .models import Conversation, Message


def conversation_record_exchange(
    *, user, conversation: Conversation | None, question: str, answer: str, tool_calls: list
) -> Conversation:
    """Store one exchange (the user's message, then the assistant's answer) in one transaction,
    starting a new conversation when none is given."""
    now = timezone.now()
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation(user=user, created_at=now, updated_at=now)
            conversation.full_clean(exclude=["user"])
            conversation.save(force_insert=True)
        else:
            Conversation.objects.filter(pk=conversation.pk, user=user).update(updated_at=now)
        messages = [
            Message(conversation=conversation, role=Message.Role.USER, content=question),
            Message(
                conversation=conversation,
                role=Message.Role.ASSISTANT,
                content=answer,
                tool_calls=tool_calls,
            ),
        ]
        for message in messages:
            message.full_clean(exclude=["conversation"])
            message.save(force_insert=True)
    return conversation
