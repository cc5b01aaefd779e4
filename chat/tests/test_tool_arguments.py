"""The MCP tools take their typed arguments as strictly as the REST API takes the same fields:
no "yes" for a boolean, no "1" for an id (in process, through the SDK's own client)."""

import pytest
from asgiref.sync import async_to_sync
from django.db import DatabaseError
from mcp import Client

from chat import tools
from tasks.factories import TaskFactory
from testing.snapshot import stored

pytestmark = pytest.mark.django_db


def call(user, name: str, arguments: dict):
    async def main():
        tools.acting_user.set(user)
        async with Client(tools.server) as client:
            return await client.call_tool(name, arguments)

    result = async_to_sync(main)()  # the tools' ORM calls come back to this thread
    return result.is_error, result.content[0].text if result.content else ""


@pytest.mark.parametrize(
    ("name", "arguments", "field"),
    [
        ("update_task", {"completed": "yes"}, "completed"),
        ("update_task", {"completed": 1}, "completed"),
        ("list_tasks", {"overdue": "true"}, "overdue"),
        ("list_tasks", {"limit": "5"}, "limit"),
        ("list_tasks", {"limit": True}, "limit"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_tool_error_and_changes_nothing(
    user, name, arguments, field
):
    task = TaskFactory(user=user, completed=False)
    arguments = {"task_id": task.pk, **arguments}
    if name == "list_tasks":
        del arguments["task_id"]
    before = stored()

    is_error, text = call(user, name, arguments)

    assert is_error is True, text
    assert field in text
    assert stored() == before


@pytest.mark.parametrize("name", ["complete_task", "delete_task", "update_task"])
def test_a_task_id_given_as_text_is_a_tool_error(user, name):
    task = TaskFactory(user=user, completed=False)
    before = stored()

    is_error, text = call(user, name, {"task_id": str(task.pk)})

    assert is_error is True, text
    assert "task_id" in text
    assert stored() == before


def test_well_typed_arguments_still_work(user):
    task = TaskFactory(user=user, completed=False)

    assert call(user, "update_task", {"task_id": task.pk, "completed": True})[0] is False
    assert call(user, "list_tasks", {"overdue": False, "limit": 5})[0] is False
    task.refresh_from_db()
    assert task.completed is True


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            DatabaseError('relation "tasks_task" ... SELECT secret_column'),
            "temporarily unavailable",
        ),
        (RuntimeError("internal detail /srv/app/secret.py"), "An unexpected error occurred."),
    ],
)
def test_an_unexpected_failure_is_a_generic_tool_error_and_logged(
    user, monkeypatch, caplog, fault, message
):
    """Fault injection: whatever a service raises, its text (SQL, paths) stays in the log."""

    def broken(**kwargs):
        raise fault

    monkeypatch.setattr(tools, "task_create", broken)

    is_error, text = call(user, "add_task", {"title": "x"})

    assert is_error is True
    assert message in text and "secret" not in text
    assert [r.exc_info[1] for r in caplog.records if r.name == "chat.tools"] == [fault]
