"""The AI assistant's MCP server (the official SDK's MCPServer) and its five task tools.

The tools are thin adapters over the REST API's own parts: arguments go through the same
serializer (TaskInputSerializer) and filters, writes through tasks.services, so a tool refuses
what the API refuses with the same messages. The caller is `acting_user`, set by whoever
authenticated the request (the /mcp view, the chat endpoint), never an argument the model
chooses: `user_id` is accepted only when it is the caller's own id. Tool errors are `isError`
results (ToolError).
"""

import json
import logging
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import MISSING, Field, WithJsonSchema
from rest_framework import serializers as drf

from accounts.ids import canonical_user_id
from api.errors import ERRORS
from tasks.filters import clean_ordering, clean_search, filter_tasks
from tasks.recurrence import MAX_LENGTH as MAX_RULE_LENGTH
from tasks.schema import PRIORITY_SCHEMA, TAG_SCHEMA, TAGS_SCHEMA
from tasks.selectors import task_list, task_row, task_rows, task_search
from tasks.serializers import TaskInputSerializer, TaskRowSerializer
from tasks.services import task_create, task_delete, task_set_completed, task_update

logger = logging.getLogger(__name__)

acting_user: ContextVar = ContextVar("acting_user")

NOT_FOUND = "Task not found."
WRONG_USER = "user_id must be your own id (or left out)."
LIST_FIELDS = ("id", "title", "description", "completed", "priority", "tags", "due_at")
LIST_FIELDS += ("recurrence",)

server = MCPServer(
    name="todo",
    instructions="The signed-in user's todo list: add, list, complete, update and delete tasks.",
)


def _schema(schema: dict, description: str) -> Any:
    """A JSON schema the model reads; the value itself is checked by the REST serializer."""
    return WithJsonSchema({**schema, "description": description})


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


DATE_TIME = {"type": "string", "format": "date-time"}
UserId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        description="Optional: your own user id. Any other id is refused (nothing is done).",
    ),
]
TaskId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1, description="The task's id.")]
Title = Annotated[Any, _schema({"type": "string", "minLength": 1, "maxLength": 200}, "Title.")]
Description = Annotated[
    Any, _schema(_nullable({"type": "string", "maxLength": 1000}), "Details; null clears them.")
]
Priority = Annotated[Any, _schema(PRIORITY_SCHEMA, "low, medium (the default) or high.")]
Tags = Annotated[Any, _schema(TAGS_SCHEMA, "Tags; sending them replaces the whole list.")]
DueAt = Annotated[
    Any, _schema(_nullable(DATE_TIME), "When it is due, ISO 8601 with Z or an offset; or null.")
]
RemindAt = Annotated[
    Any, _schema(_nullable(DATE_TIME), "When to remind, ISO 8601 with Z or an offset; or null.")
]
Recurrence = Annotated[
    Any,
    _schema(
        _nullable({"type": "string", "minLength": 1, "maxLength": MAX_RULE_LENGTH}),
        "An RFC 5545 RRULE without the RRULE: prefix, e.g. FREQ=WEEKLY;BYDAY=MO; needs due_at.",
    ),
]


def _error_text(detail) -> str:
    """`field: message` lines, as the REST API's `error.details` gives them."""
    if isinstance(detail, dict):
        parts = []
        for field, messages in detail.items():
            items = messages if isinstance(messages, list) else [messages]
            parts.extend(f"{field}: {message}" for message in items)
        return "Invalid arguments. " + "; ".join(parts)
    items = detail if isinstance(detail, list) else [detail]
    return "Invalid arguments. " + "; ".join(str(item) for item in items)


def _caller(user_id) -> Any:
    """The authenticated caller, after checking that a given `user_id` is theirs."""
    try:
        user = acting_user.get()
    except LookupError:
        raise ToolError("Not authenticated.") from None
    if user_id is not MISSING and canonical_user_id(user_id) != user.pk:
        raise ToolError(WRONG_USER)
    return user


def _provided(**arguments) -> dict:
    """The arguments the caller sent (an explicit null included), without the absent ones."""
    return {name: value for name, value in arguments.items() if value is not MISSING}


def _validated(data: dict, *, partial: bool) -> dict:
    serializer = TaskInputSerializer(data=data, partial=partial)
    if not serializer.is_valid():
        raise ToolError(_error_text(serializer.errors))
    return serializer.validated_data


def _run(action):
    """Run a sync action (ORM, services) on the request's thread; domain errors -> tool errors."""

    def guarded(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ToolError(_error_text(detail)) from None
        except drf.ValidationError as error:
            raise ToolError(_error_text(error.detail)) from None
        except ToolError:
            raise
        except DatabaseError:  # the text may hold SQL: logged here, never sent to the client
            logger.exception("MCP tool %s: database error", action.__name__)
            raise ToolError(ERRORS["SERVICE_UNAVAILABLE"].message) from None
        except Exception:  # the SDK would send the exception's text as the tool's error
            logger.exception("MCP tool %s failed", action.__name__)
            raise ToolError(ERRORS["INTERNAL_ERROR"].message) from None

    return sync_to_async(guarded, thread_sensitive=True)


def _outcome(task, status: str) -> dict:
    if task is None:  # missing and someone else's alike
        raise ToolError(NOT_FOUND)
    return {"task_id": task.pk, "status": status, "title": task.title}


@server.tool(description="Add a task to your list.")
async def add_task(
    title: Title,
    description: Description = MISSING,
    priority: Priority = MISSING,
    tags: Tags = MISSING,
    due_at: DueAt = MISSING,
    remind_at: RemindAt = MISSING,
    recurrence: Recurrence = MISSING,
    user_id: UserId = MISSING,
) -> dict:
    arguments = _provided(
        title=title,
        description=description,
        priority=priority,
        tags=tags,
        due_at=due_at,
        remind_at=remind_at,
        recurrence=recurrence,
    )

    def add(user):
        return _outcome(task_create(user=user, **_validated(arguments, partial=False)), "created")

    return await _run(add)(_caller(user_id))


@server.tool(
    description="List your tasks (a JSON array), newest first unless `ordering` says otherwise.",
    structured_output=False,  # one text block holding the array, also when it is empty
)
async def list_tasks(
    status: Annotated[
        Literal["all", "pending", "completed"], Field(description="Which tasks.")
    ] = "all",
    search: Annotated[
        str, Field(min_length=1, max_length=200, description="Words in title or description.")
    ] = MISSING,
    priority: Annotated[Any, _schema(PRIORITY_SCHEMA, "Only tasks of this priority.")] = MISSING,
    tag: Annotated[
        Any, _schema(TAG_SCHEMA, "Only tasks with this tag (letter case ignored).")
    ] = MISSING,
    overdue: Annotated[
        bool,
        Field(strict=True, description="true: open tasks past their due date; false: the others."),
    ] = MISSING,
    ordering: Annotated[
        str,
        Field(
            max_length=200,
            description="Comma list of created_at, updated_at, due_at, priority, title; "
            "a leading - reverses. Default: newest first.",
        ),
    ] = MISSING,
    limit: Annotated[int, Field(strict=True, ge=1, le=100, description="At most this many.")] = 50,
    user_id: UserId = MISSING,
) -> str:
    params = _provided(priority=priority, overdue=overdue)
    if tag is not MISSING:
        params["tag"] = [tag]
    if status != "all":
        params["completed"] = status == "completed"

    def listing(user):
        tasks = filter_tasks(task_list(user=user), params)
        if search is not MISSING:
            tasks = task_search(tasks, _checked("search", clean_search, search))
        if ordering is not MISSING:
            tasks = tasks.order_by(*_checked("ordering", clean_ordering, ordering))
        rows = TaskRowSerializer(task_rows(tasks)[:limit], many=True).data
        return json.dumps([{name: row[name] for name in LIST_FIELDS} for row in rows])

    return await _run(listing)(_caller(user_id))


def _checked(name: str, clean, value):
    try:
        return clean(value)
    except DjangoValidationError as error:
        raise DjangoValidationError({name: error.messages}) from None


@server.tool(description="Mark one of your tasks completed (a recurring one gets its next date).")
async def complete_task(task_id: TaskId, user_id: UserId = MISSING) -> dict:
    def complete(user):
        return _outcome(task_set_completed(user=user, task_id=task_id, completed=True), "completed")

    return await _run(complete)(_caller(user_id))


@server.tool(
    description="Delete one of your tasks: it moves to the trash, where it can be restored."
)
async def delete_task(task_id: TaskId, user_id: UserId = MISSING) -> dict:
    def delete(user):
        row = task_row(task_list(user=user), task_id=task_id)
        if row is None or not task_delete(user=user, task_id=task_id):
            raise ToolError(NOT_FOUND)
        return {"task_id": task_id, "status": "deleted", "title": row["title"]}

    return await _run(delete)(_caller(user_id))


@server.tool(
    description="Change some fields of one of your tasks; the others stay as they are. "
    "An explicit null clears description, due_at, remind_at or recurrence."
)
async def update_task(
    task_id: TaskId,
    title: Title = MISSING,
    description: Description = MISSING,
    priority: Priority = MISSING,
    tags: Tags = MISSING,
    due_at: DueAt = MISSING,
    remind_at: RemindAt = MISSING,
    recurrence: Recurrence = MISSING,
    completed: Annotated[bool, Field(strict=True, description="Completed or not.")] = MISSING,
    user_id: UserId = MISSING,
) -> dict:
    arguments = _provided(
        title=title,
        description=description,
        priority=priority,
        tags=tags,
        due_at=due_at,
        remind_at=remind_at,
        recurrence=recurrence,
        completed=completed,
    )

    def update(user):
        changes = _validated(arguments, partial=True)
        return _outcome(task_update(user=user, task_id=task_id, **changes), "updated")

    return await _run(update)(_caller(user_id))
