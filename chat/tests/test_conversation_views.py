"""The chat history endpoints: the caller's conversations and their messages, paginated."""

import datetime

import pytest
from django.utils import timezone

from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db


def conversation(user, minutes_ago: int, *contents: str) -> Conversation:
    moment = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    made = Conversation.objects.create(user=user, created_at=moment, updated_at=moment)
    for number, content in enumerate(contents):
        role = "user" if number % 2 == 0 else "assistant"
        Message.objects.create(conversation=made, role=role, content=content)
    return made


def test_conversations_newest_first_paginated_and_only_the_callers(auth_client, user, other_user):
    old = conversation(user, 10)
    new = conversation(user, 1)
    conversation(other_user, 0)

    response = auth_client.get("/api/chat/conversations?limit=1")

    body = response.json()
    assert response.status_code == 200
    assert [c["id"] for c in body["data"]] == [new.pk]
    assert set(body["data"][0]) == {"id", "created_at", "updated_at"}
    assert body["meta"]["count"] == 2
    assert body["message"] == "Conversations retrieved"
    second = auth_client.get("/api/chat/conversations/?limit=1&offset=1").json()
    assert [c["id"] for c in second["data"]] == [old.pk]


def test_messages_oldest_first(auth_client, user):
    made = conversation(user, 1, "Add milk", "Added.", "Thanks")

    response = auth_client.get(f"/api/chat/conversations/{made.pk}/messages")

    body = response.json()
    assert [(m["role"], m["content"]) for m in body["data"]] == [
        ("user", "Add milk"),
        ("assistant", "Added."),
        ("user", "Thanks"),
    ]
    assert set(body["data"][0]) == {"id", "role", "content", "created_at"}
    assert body["meta"]["count"] == 3


def test_another_users_conversation_messages_are_404(auth_client, other_user):
    theirs = conversation(other_user, 1, "secret plans")

    response = auth_client.get(f"/api/chat/conversations/{theirs.pk}/messages")

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {"code": "RESOURCE_NOT_FOUND", "message": "Conversation not found."},
    }


@pytest.mark.parametrize("raw", ["abc", "0", "9" * 20, "9" * 5000, "%C2%B2"])
def test_a_malformed_conversation_id_is_422(auth_client, raw):
    response = auth_client.get(f"/api/chat/conversations/{raw}/messages")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"id": ["Must be a positive integer."]}


def test_history_needs_a_token(api_client):
    response = api_client.get("/api/chat/conversations")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
