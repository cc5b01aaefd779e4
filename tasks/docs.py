"""OpenAPI documentation of the task endpoints: the path parameter, examples, the headers of
conditional requests, what an operation on one task answers, and links (`task_docs`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)

from accounts.permissions import USER_ID

from .exceptions import InvalidTaskId, TaskNotFound, TaskPreconditionFailed
from .schema import FILTER_PARAMETERS
from .serializers import (
    PurgedSerializer,
    TaskBulkResultSerializer,
    TaskBulkSerializer,
    TaskCompleteSerializer,
    TaskSerializer,
    TrashEmptiedSerializer,
)

TASK_ID = OpenApiParameter(
    "task_id",
    {"type": "integer", "format": "int64", "minimum": 1},
    OpenApiParameter.PATH,
    description="The task's id (not a positive integer: 422).",
)
TASK = {
    "id": 42,
    "user_id": "3f2b6c1e-8a4d-4c1b-9a57-0d6f2f1e9b10",
    "title": "Buy milk",
    "description": "2 litres, semi-skimmed",
    "completed": False,
    "completed_at": None,
    "priority": "high",
    "tags": ["errands", "home"],
    "due_at": "2025-02-01T17:00:00Z",
    "remind_at": "2025-02-01T16:30:00Z",
    "recurrence": "FREQ=WEEKLY;BYDAY=SA",
    "next_occurrence_id": None,
    "version": 1,
    "deleted_at": None,
    "created_at": "2025-01-31T09:15:00.123456Z",
    "updated_at": "2025-01-31T09:15:00.123456Z",
}
ON_ONE_TASK = {404: TaskNotFound, 422: InvalidTaskId}
# Headers: the ETag every single-task answer carries, the conditions a request may send.
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description='The task\'s version as a strong entity tag, `"<id>-<version>"`.',
)
_TAG = '(?:W/)?"[!#-~]*"'  # an entity tag (the server also takes obs-text bytes in quotes)
ETAG_LIST = {
    "type": "string",
    "pattern": f"^[ \\t]*(?:\\*|{_TAG}(?:[ \\t]*,[ \\t]*{_TAG})*)[ \\t]*$",
    "maxLength": 1000,
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    ETAG_LIST,
    OpenApiParameter.HEADER,
    description="Write only if the task's ETag is one of these (`*`: any existing task); else "
    "412 with the task as it is now in `error.details.current`. Malformed: 422.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    ETAG_LIST,
    OpenApiParameter.HEADER,
    description="304 without a body when the ETag is one of these (weak comparison). "
    "Malformed: 422.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag is one `If-None-Match` gave.")


class _StaleTask(TaskPreconditionFailed):
    """The 412's example in the schema (with an example task)."""

    default_detail = TaskPreconditionFailed.default_detail

    def __init__(self):
        super().__init__({**TASK, "version": 4})


CONDITIONAL_WRITE = {**ON_ONE_TASK, 412: _StaleTask}
# A task in a response is the `{task_id}` of every operation on that task.
TASK_LINKS = {
    name: {
        "operationId": operation_id,
        "parameters": {"task_id": "$response.body#/data/id"},
        "description": f"`{operation_id}` on the task in this response.",
    }
    for name, operation_id in {
        "GetTask": "tasks_retrieve",
        "UpdateTask": "tasks_update",
        "PatchTask": "tasks_partial_update",
        "CompleteTask": "tasks_complete",
        "DeleteTask": "tasks_destroy",
        "RestoreTask": "tasks_restore",
    }.items()
}


def _docs(summary: str, *, sends=(), result: dict | None = None, links=True, **schema):
    """`extend_schema` for one operation: examples of what is sent and of the task it returns."""
    examples = [OpenApiExample(name, value=value, request_only=True) for name, value in sends]
    if result is not None:
        examples.append(OpenApiExample("A task", value={**TASK, **result}, response_only=True))
    if result is not None and links:
        schema["extensions"] = {"x-links": TASK_LINKS}
    return extend_schema(summary=summary, examples=examples, **schema)


_OPERATIONS = extend_schema_view(
    list=_docs(
        "List your tasks",
        description="Filtered, searched and ordered as the parameters say (they combine with "
        "AND; an invalid value is a 422 naming the parameter; unknown ones are ignored); "
        "newest first by default (`-created_at`, then `-id`); paginated, and `meta.next` / "
        "`meta.previous` keep every parameter.",
        result={},
        links=False,
        parameters=[*FILTER_PARAMETERS, IF_NONE_MATCH],
        responses={200: TaskSerializer(many=True), 304: NOT_MODIFIED},
    ),
    create=_docs(
        "Create a task",
        sends=[
            ("Title and description", {"title": "Buy milk", "description": "2 litres"}),
            (
                "A weekly task",
                {
                    "title": "Weekly review",
                    "priority": "high",
                    "tags": ["work", "planning"],
                    "due_at": "2026-12-04T16:00:00Z",
                    "remind_at": "2026-12-04T15:30:00Z",
                    "recurrence": "FREQ=WEEKLY;BYDAY=FR",
                },
            ),
        ],
        result={},
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="Absolute URL of the new task.",
            ),
            ETAG,
        ],
    ),
    retrieve=_docs(
        "Get one task",
        result={},
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: TaskSerializer, 304: NOT_MODIFIED, **ON_ONE_TASK},
    ),
    update=_docs(
        "Update a task (title required)",
        description="`title` is required; absent `description`/`completed` stay as is.",
        sends=[("New title", {"title": "Buy oat milk"})],
        result={"title": "Buy oat milk"},
        parameters=[IF_MATCH, ETAG],
        responses={200: TaskSerializer, **CONDITIONAL_WRITE},
    ),
    partial_update=_docs(
        "Change some fields of a task",
        sends=[("Mark done", {"completed": True})],
        result={"completed": True},
        parameters=[IF_MATCH, ETAG],
        responses={200: TaskSerializer, **CONDITIONAL_WRITE},
    ),
    destroy=_docs(
        "Move a task to the trash",
        description="It is then a 404 everywhere but the trash, and can be restored.",
        parameters=[IF_MATCH],
        responses={204: None, **CONDITIONAL_WRITE},
    ),
    restore=_docs(
        "Restore a task from the trash",
        operation_id="tasks_restore",
        description="Back in the list, with a new version. Not in the trash: 404.",
        request=None,
        result={"version": 3},
        parameters=[IF_MATCH, ETAG],
        responses={200: TaskSerializer, **CONDITIONAL_WRITE},
    ),
    trash=_docs(
        "List your trash",
        operation_id="tasks_trash_list",
        description="Trashed tasks, most recently deleted first, paginated.",
        result={"deleted_at": "2025-02-02T08:00:00Z", "version": 2},
        links=False,
        responses={200: TaskSerializer(many=True)},
    ),
    purge=extend_schema(
        summary="Remove a task from the trash for good",
        operation_id="tasks_trash_purge",
        description="Not in the trash (or not yours): 404.",
        parameters=[TASK_ID],
        responses={204: None, **ON_ONE_TASK},
    ),
    bulk=extend_schema(
        summary="One action on many tasks",
        operation_id="tasks_bulk",
        description="`ids` (1 to 500, distinct) or `filter` (the list's filter parameters; "
        "with `restore` and `purge`, among the trashed tasks). One transaction. Ids that are "
        "not yours, or not where the action needs them, come back in `not_found`. Completing "
        "recurring tasks spawns their next occurrences as a single complete does.",
        request=TaskBulkSerializer,
        examples=[
            OpenApiExample(
                "Clear the completed tasks",
                value={"action": "delete", "filter": {"completed": True}},
                request_only=True,
            ),
            OpenApiExample(
                "Complete some", value={"action": "complete", "ids": [7, 8]}, request_only=True
            ),
        ],
        responses={200: TaskBulkResultSerializer},
    ),
    changes=extend_schema(
        summary="Changes since a cursor (sync)",
        operation_id="tasks_changes",
        description="Every task of yours that changed after the cursor, oldest change first, "
        "as it is now (trashed ones with `deleted_at`); purged ones as `{id, purged: true}`. "
        "Follow `meta.cursor` until `has_more` is false: no change is ever skipped.",
        responses={
            200: PolymorphicProxySerializer(
                component_name="Change",
                serializers=[TaskSerializer, PurgedSerializer],
                resource_type_field_name=None,
                many=True,
            )
        },
    ),
    complete=_docs(
        "Toggle or set a task's completion",
        operation_id="tasks_complete",
        description='No body toggles `completed`; `{"completed": true|false}` sets it. '
        "Completing a recurring task creates its next occurrence (once per task, ever).",
        request=TaskCompleteSerializer,
        sends=[("Set", {"completed": True})],
        result={"completed": True},
        parameters=[IF_MATCH, ETAG],
        responses={200: TaskSerializer, **CONDITIONAL_WRITE},
    ),
)


def task_docs(viewset):
    """The TaskViewSet's documentation: each operation's, and the path parameters (each where
    the path has it)."""
    return extend_schema(parameters=[USER_ID, TASK_ID])(_OPERATIONS(viewset))


EMPTY_TRASH = extend_schema(
    summary="Empty your trash",
    operation_id="tasks_trash_empty",
    description="Every task in your trash is removed for good (each leaves a tombstone for "
    "the change feed).",
    responses={200: TrashEmptiedSerializer},
)
