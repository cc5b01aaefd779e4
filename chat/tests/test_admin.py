"""Conversations and messages in the admin: listed, searchable by owner, messages inline."""

import pytest

from accounts.factories import UserFactory
from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_conversation_changelist_is_searchable_by_the_owners_email(admin_client):
    alice = Conversation.objects.create(user=UserFactory(email="alice@example.com"))
    Conversation.objects.create(user=UserFactory(email="bob@example.com"))

    response = admin_client.get("/admin/chat/conversation/", {"q": "alice@"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [alice]


def test_a_conversation_shows_its_messages_inline(admin_client):
    conversation = Conversation.objects.create(user=UserFactory())
    Message.objects.create(conversation=conversation, role="user", content="Add buy milk")
    Message.objects.create(conversation=conversation, role="assistant", content="Added it.")

    response = admin_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Add buy milk" in html
    assert "Added it." in html


def test_message_changelist_filters_by_role(admin_client):
    conversation = Conversation.objects.create(user=UserFactory())
    Message.objects.create(conversation=conversation, role="user", content="question")
    answer = Message.objects.create(conversation=conversation, role="assistant", content="answer")

    response = admin_client.get("/admin/chat/message/", {"role__exact": "assistant"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [answer]
