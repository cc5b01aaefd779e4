"""chat.agent.assistant_reply in both of the provider's forms: plain JSON and streamed (SSE)."""

import pytest

from chat.agent import assistant_reply
from tasks.models import Task
from testing.scripted_provider import last_tool_result, text, tool_calls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stream", [False, True])
def test_the_assistant_runs_the_mcp_tools_in_either_form(user, provider, stream):
    served = provider(
        [
            tool_calls(("add_task", {"title": "Buy bread", "priority": "high"})),
            lambda body: tool_calls(
                ("update_task", {"task_id": last_tool_result(body)["task_id"], "tags": ["shop"]})
            ),
            text("Added and tagged 'Buy bread'."),
        ]
    )

    reply = assistant_reply(user=user, history=[], message="Add bread, tag it shop", stream=stream)

    task = Task.objects.get(user=user)
    assert (task.title, task.priority, list(task.tags)) == ("Buy bread", 3, ["shop"])
    assert reply.text == "Added and tagged 'Buy bread'."
    assert reply.tool_calls == [
        {
            "name": "add_task",
            "arguments": {"title": "Buy bread", "priority": "high"},
            "result": {"task_id": task.pk, "status": "created", "title": "Buy bread"},
        },
        {
            "name": "update_task",
            "arguments": {"task_id": task.pk, "tags": ["shop"]},
            "result": {"task_id": task.pk, "status": "updated", "title": "Buy bread"},
        },
    ]
    assert [r["body"].get("stream", False) for r in served.requests] == [stream] * 3


def test_history_goes_before_the_new_message(user, provider):
    served = provider([text("Hi again")])
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]

    assistant_reply(user=user, history=history, message="Me again")

    sent = [(m["role"], m["content"]) for m in served.requests[0]["body"]["messages"]]
    assert sent[1:] == [("user", "Hi"), ("assistant", "Hello"), ("user", "Me again")]
    assert sent[0][0] == "system"
