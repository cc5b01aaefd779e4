"""The chat over real HTTP on two production-mode server processes sharing one database: a
conversation started on one goes on on the other (nothing is kept in a process)."""

import uuid

import pytest
import requests

from testing.live_server import live_server_process, shared_sqlite_env
from testing.scripted_provider import scripted_provider, text, tool_calls

API_KEY = "sk-live-test-SECRET-9f8e7d"


@pytest.fixture
def setup(tmp_path):
    script = [tool_calls(("add_task", {"title": "Buy milk"})), text("Added."), text("1 task.")]
    with scripted_provider(script) as provider:
        env = shared_sqlite_env(
            tmp_path, OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=provider.url, CHAT_MODEL="m"
        )
        with live_server_process(env=env) as one, live_server_process(env=env) as two:
            yield provider, one, two


def test_a_conversation_goes_on_on_another_process(setup):
    provider, one, two = setup
    me = str(uuid.uuid4())
    token = one.token(me)
    headers = {"Authorization": f"Bearer {token}"}

    first = requests.post(
        f"{one.url}/api/chat", json={"message": "Add buy milk"}, headers=headers, timeout=30
    )
    conversation_id = first.json()["data"]["conversation_id"]
    second = requests.post(
        f"{two.url}/api/{me}/chat",
        json={"conversation_id": conversation_id, "message": "How many?"},
        headers=headers,
        timeout=30,
    )

    assert first.status_code == 200, first.text
    assert first.json()["data"]["tool_calls"][0]["result"]["status"] == "created"
    assert second.json()["data"] == {
        "conversation_id": conversation_id,
        "response": "1 task.",
        "tool_calls": [],
    }
    sent = [
        (m["role"], m["content"])
        for m in provider.requests[2]["body"]["messages"]
        if m["role"] in ("user", "assistant")
    ]
    assert sent == [("user", "Add buy milk"), ("assistant", "Added."), ("user", "How many?")]
    tasks = requests.get(f"{two.url}/api/tasks", headers=headers, timeout=10).json()["data"]
    assert [t["title"] for t in tasks] == ["Buy milk"]
    messages = requests.get(
        f"{one.url}/api/chat/conversations/{conversation_id}/messages", headers=headers, timeout=10
    ).json()["data"]
    assert [m["content"] for m in messages] == ["Add buy milk", "Added.", "How many?", "1 task."]
    logs = one.log() + two.log()
    assert API_KEY not in logs
    assert token not in logs
    assert all(token not in str(r) for r in provider.requests)
