"""POST /api/chat end to end: the real Agents SDK and the real MCP tools, against a scripted
OpenAI-compatible provider over real HTTP; the database shows what the assistant did."""

import logging
import time

import pytest

from chat.models import Conversation, Message
from chat.selectors import HISTORY_CHARACTERS, HISTORY_MESSAGES
from tasks.factories import TaskFactory
from tasks.models import Task
from testing.scripted_provider import failure, last_tool_result, slow, text, tool_calls

from .conftest import API_KEY

pytestmark = pytest.mark.django_db


def chat(client, message: str, conversation_id=None, path="/api/chat"):
    body = {"message": message}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    return client.post(path, body, format="json")


def task_exists(user, task_id) -> bool:
    """Whether the task is still among the user's tasks (one in the trash is not)."""
    return Task.objects.filter(user=user, pk=task_id, deleted_at__isnull=True).exists()


def test_the_assistant_adds_a_task_with_the_mcp_tool(auth_client, user, provider):
    served = provider([tool_calls(("add_task", {"title": "Buy milk"})), text("Added it.")])

    response = chat(auth_client, "Add buy milk")

    assert response.status_code == 200, response.json()
    task = Task.objects.get(user=user)
    conversation = Conversation.objects.get(user=user)
    assert response.json() == {
        "success": True,
        "message": "Reply generated",
        "data": {
            "conversation_id": conversation.pk,
            "response": "Added it.",
            "tool_calls": [
                {
                    "name": "add_task",
                    "arguments": {"title": "Buy milk"},
                    "result": {"task_id": task.pk, "status": "created", "title": "Buy milk"},
                }
            ],
        },
    }
    assert task.title == "Buy milk"
    assert list(Message.objects.order_by("id").values_list("role", "content")) == [
        ("user", "Add buy milk"),
        ("assistant", "Added it."),
    ]
    first = served.requests[0]["body"]
    assert first["model"] == "scripted-model"
    assert {tool["function"]["name"] for tool in first["tools"]} == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    }


def test_a_conversation_goes_on_from_the_database(auth_client, user, provider):
    served = provider(
        [
            tool_calls(("add_task", {"title": "Call mom"})),
            text("Added."),
            tool_calls(("list_tasks", {})),
            lambda body: tool_calls(
                ("complete_task", {"task_id": last_tool_result(body)[0]["id"]})
            ),
            text("Done."),
        ]
    )
    first = chat(auth_client, "Add call mom").json()["data"]

    second = chat(auth_client, "I called her", first["conversation_id"])

    assert second.status_code == 200
    data = second.json()["data"]
    assert data["conversation_id"] == first["conversation_id"]
    assert [call["name"] for call in data["tool_calls"]] == ["list_tasks", "complete_task"]
    assert Task.objects.get(user=user, title="Call mom").completed is True
    sent = served.requests[2]["body"]["messages"]
    assert [(m["role"], m.get("content")) for m in sent if m["role"] in ("user", "assistant")][
        :3
    ] == [("user", "Add call mom"), ("assistant", "Added."), ("user", "I called her")]
    assert Message.objects.filter(conversation_id=first["conversation_id"]).count() == 4


def test_the_assistant_acts_as_the_caller_only(auth_client, user, other_user, provider):
    theirs = TaskFactory(user=other_user, title="Not yours")
    provider(
        [
            tool_calls(("delete_task", {"task_id": theirs.pk})),
            tool_calls(("add_task", {"title": "Sneaky", "user_id": other_user.pk})),
            text("I could not."),
        ]
    )

    response = chat(auth_client, "Delete their task")

    calls = response.json()["data"]["tool_calls"]
    assert [call["result"] for call in calls] == [
        "Error executing tool delete_task: Task not found.",
        "Error executing tool add_task: user_id must be your own id (or left out).",
    ]
    assert task_exists(other_user, theirs.pk)
    assert not Task.objects.filter(title="Sneaky").exists()


def test_the_assistant_moves_the_callers_task_to_the_trash(auth_client, user, provider):
    mine = TaskFactory(user=user, title="Old")
    provider([tool_calls(("delete_task", {"task_id": mine.pk})), text("Deleted.")])

    response = chat(auth_client, "Delete Old")

    assert response.json()["data"]["tool_calls"][0]["result"] == {
        "task_id": mine.pk,
        "status": "deleted",
        "title": "Old",
    }
    assert auth_client.get(f"/api/tasks/{mine.pk}").status_code == 404
    assert not task_exists(user, mine.pk)
    assert Task.objects.get(pk=mine.pk).deleted_at is not None  # in the trash, restorable


def test_the_history_sent_to_the_model_is_bounded(auth_client, user, provider):
    conversation = Conversation.objects.create(user=user)
    for number in range(HISTORY_MESSAGES + 10):
        role = "user" if number % 2 == 0 else "assistant"
        Message.objects.create(conversation=conversation, role=role, content=f"m{number}")
    served = provider([text("ok")])

    chat(auth_client, "latest", conversation.pk)

    sent = [m["content"] for m in served.requests[0]["body"]["messages"] if m["role"] != "system"]
    expected = [f"m{n}" for n in range(10, HISTORY_MESSAGES + 10)]
    assert sent == [*expected, "latest"]


def test_the_history_is_bounded_in_characters_too(auth_client, user, provider):
    conversation = Conversation.objects.create(user=user)
    for content in ("old " * 1000, "x" * (HISTORY_CHARACTERS - 10), "recent"):
        Message.objects.create(conversation=conversation, role="user", content=content)
    served = provider([text("ok")])

    chat(auth_client, "latest", conversation.pk)

    sent = [m["content"] for m in served.requests[0]["body"]["messages"] if m["role"] != "system"]
    assert sent == ["x" * (HISTORY_CHARACTERS - 10), "recent", "latest"]


def test_without_a_key_the_chat_is_503_and_stores_nothing(auth_client, settings):
    settings.OPENAI_API_KEY = ""

    response = chat(auth_client, "Hello")

    assert response.status_code == 503
    assert response.json() == {
        "success": False,
        "error": {
            "code": "SERVICE_UNAVAILABLE",
            "message": "The assistant is not configured on this server.",
        },
    }
    assert not Conversation.objects.exists()


def test_a_provider_error_is_502_and_the_message_stays_without_an_answer(auth_client, provider):
    served = provider([failure(500), failure(500), failure(500)])

    response = chat(auth_client, "Hello")

    assert response.status_code == 502
    assert response.json() == {
        "success": False,
        "error": {
            "code": "UPSTREAM_ERROR",
            "message": "The assistant's model provider failed or timed out; try again.",
        },
    }
    assert len(served.requests) == 2  # the openai client's one retry
    assert list(Message.objects.values_list("role", "content")) == [("user", "Hello")]


def test_a_provider_slower_than_the_timeout_is_502(auth_client, provider, settings):
    provider([slow(text("too late"), 6), slow(text("too late"), 6)])
    settings.CHAT_TIMEOUT_SECONDS = 1

    started = time.monotonic()
    response = chat(auth_client, "Hello")

    assert time.monotonic() - started < 4  # bounded by us, not by the provider's pace
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert list(Message.objects.values_list("role", flat=True)) == ["user"]


def test_a_failed_answer_leaves_the_conversation_usable(auth_client, provider):
    served = provider([failure(500), failure(500), text("Hi!")])
    chat(auth_client, "Hello")
    conversation = Conversation.objects.get()

    response = chat(auth_client, "Hello?", conversation.pk)

    assert response.json()["data"]["response"] == "Hi!"
    sent = [(m["role"], m["content"]) for m in served.requests[2]["body"]["messages"][1:]]
    assert sent == [("user", "Hello"), ("user", "Hello?")]


def test_the_chat_is_throttled_per_user(auth_client, client_for, other_user, provider, chat_rate):
    chat_rate("2/minute")
    provider([text("one"), text("two"), text("other")])

    statuses = [chat(auth_client, "hi").status_code for _ in range(3)]
    others = chat(client_for(other_user), "hi")

    assert statuses == [200, 200, 429]
    assert others.status_code == 200
    assert Message.objects.filter(role="user").count() == 3


def test_another_users_conversation_is_404(auth_client, other_user, provider):
    theirs = Conversation.objects.create(user=other_user)
    served = provider([text("never")])

    response = chat(auth_client, "hi", theirs.pk)

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "RESOURCE_NOT_FOUND",
        "message": "Conversation not found.",
    }
    assert served.requests == []
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 4001}, "message"),
        ({"message": 5}, "message"),
        ({"message": "hi", "conversation_id": 0}, "conversation_id"),
        ({"message": "hi", "conversation_id": "abc"}, "conversation_id"),
    ],
)
def test_invalid_bodies_are_422(auth_client, provider, body, field):
    served = provider([text("never")])

    response = auth_client.post("/api/chat", body, format="json")

    assert response.status_code == 422
    assert list(response.json()["error"]["details"]) == [field]
    assert served.requests == []


def test_the_user_id_mount_is_the_callers_only(auth_client, user, other_user, provider):
    provider([text("hello")])

    mine = chat(auth_client, "hi", path=f"/api/{user.pk}/chat")
    theirs = chat(auth_client, "hi", path=f"/api/{other_user.pk}/chat")

    assert mine.status_code == 200
    assert theirs.status_code == 403


def test_no_secret_reaches_a_response_or_a_log_line(auth_client, user, provider, caplog):
    caplog.set_level(logging.DEBUG)
    served = provider(
        [tool_calls(("add_task", {"title": "Milk"})), text("ok"), failure(), failure()]
    )
    token = auth_client._credentials["HTTP_AUTHORIZATION"].split()[1]

    ok = chat(auth_client, "Add milk")
    failed = chat(auth_client, "again")

    assert served.requests[0]["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert all(token not in str(r["headers"]) + str(r["body"]) for r in served.requests)
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in (API_KEY, token):
        assert secret not in logged
        assert secret not in ok.content.decode() + failed.content.decode()
    assert failed.status_code == 502


def test_a_reply_with_nul_characters_is_stored_with_replacement_characters(
    auth_client, user, provider
):
    # A provider's JSON may carry \u0000, which PostgreSQL's text and jsonb cannot hold (a 500
    # there before). The model passes it on to a tool too, which refuses the title.
    provider([tool_calls(("add_task", {"title": "a\x00b"})), text("Done\x00.")])

    response = chat(auth_client, "Add it")

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["response"] == "Done\ufffd."
    assert data["tool_calls"][0]["arguments"] == {"title": "a\ufffdb"}
    assert data["tool_calls"][0]["result"].startswith("Error executing tool add_task")
    assert list(Message.objects.order_by("id").values_list("role", "content")) == [
        ("user", "Add it"),
        ("assistant", "Done\ufffd."),
    ]
    assert Message.objects.get(role="assistant").tool_calls == data["tool_calls"]
    assert not Task.objects.exists()


def test_a_reply_with_a_lone_surrogate_is_stored_with_a_replacement_character(
    auth_client, provider
):
    provider([text("Done\ud800.")])  # sent as the JSON escape \ud800, which UTF-8 cannot hold

    response = chat(auth_client, "Hello")

    assert response.status_code == 200, response.content
    assert response.json()["data"]["response"] == "Done\ufffd."
    assert Message.objects.get(role="assistant").content == "Done\ufffd."


def test_tool_arguments_with_a_lone_surrogate_are_502_and_the_message_stays(auth_client, provider):
    # The Agents SDK itself cannot encode them (it fingerprints each call): a provider answering
    # nonsense, a 502 like any other provider failure, not a 500.
    provider([tool_calls(("add_task", {"title": "a\ud800"})), text("Done.")])

    response = chat(auth_client, "Add it")

    assert response.status_code == 502, response.content
    assert response.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert list(Message.objects.values_list("role", "content")) == [("user", "Add it")]
    assert not Task.objects.exists()


def test_an_empty_answer_is_stored_and_answered_not_a_422(auth_client, provider):
    # A model may end its turn with no text (after its tool calls, say): the client's request
    # was valid, so no VALIDATION_ERROR; the answer is kept as it came, empty.
    provider([tool_calls(("add_task", {"title": "Buy milk"})), text("")])

    response = chat(auth_client, "Add buy milk")

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["response"] == ""
    assert [call["name"] for call in data["tool_calls"]] == ["add_task"]
    assert list(Message.objects.order_by("id").values_list("role", "content")) == [
        ("user", "Add buy milk"),
        ("assistant", ""),
    ]


@pytest.mark.parametrize(
    ("value", "kept"),
    [(10**30, "1" + "0" * 30), (-(2**63) - 1, str(-(2**63) - 1)), (float("nan"), "nan")],
    ids=["over-64-bits", "under-64-bits", "nan"],
)
def test_tool_arguments_json_cannot_carry_are_kept_as_text(auth_client, provider, value, kept):
    # Python's JSON reads integers of any size and NaN; the renderer (orjson) writes neither and
    # PostgreSQL's jsonb refuses NaN: a 500 after storing the messages, before.
    provider([tool_calls(("complete_task", {"task_id": value})), text("Could not.")])

    response = chat(auth_client, "Complete it")

    assert response.status_code == 200, response.content
    call = response.json()["data"]["tool_calls"][0]
    assert call["arguments"] == {"task_id": kept}
    assert call["result"].startswith("Error executing tool complete_task")
    assert Message.objects.get(role="assistant").tool_calls[0]["arguments"] == {"task_id": kept}
