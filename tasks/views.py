"""Task endpoints: routing, id checks and status codes; reads start at get_queryset(), writes go
through services. The OpenAPI documentation of each operation is the decorators'."""

import hashlib
import re

import orjson
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import USER_ID, IsPathUser
from api.conditional import ANY, none_match, parse_etags, strong_etag, weak_etag
from api.pagination import CursorFeedPagination

from .bulk import task_bulk
from .changes import make_cursor, task_changes
from .exceptions import InvalidTaskId, TaskNotFound, TaskPreconditionFailed
from .filters import TaskFilter, TaskFilterBackend, TaskOrderingFilter, TaskSearchFilter
from .schema import FILTER_PARAMETERS
from .selectors import task_list, task_row, task_rows, task_tag_counts, task_trash
from .serializers import (
    ChangesParamsSerializer,
    PurgedSerializer,
    TagCountSerializer,
    TaskBulkResultSerializer,
    TaskBulkSerializer,
    TaskCompleteSerializer,
    TaskRowSerializer,
    TaskSerializer,
    TrashEmptiedSerializer,
)
from .services import task_create, task_delete, task_restore, task_set_completed, task_update
from .trash import task_empty_trash, task_purge

_TASK_ID = re.compile(r"[0-9]{1,19}")
_VERSION_TAG = re.compile(r"([1-9][0-9]{0,18})-([1-9][0-9]{0,9})")  # a task's ETag: id-version
_MAX_TASK_ID = 2**63 - 1

# --- OpenAPI: the path parameter, examples, what an operation on one task answers, links --------

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
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Write only if the task's ETag is one of these (`*`: any existing task); else "
    "412 with the task as it is now in `error.details.current`. Malformed: 422.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
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


@extend_schema(parameters=[USER_ID, TASK_ID])  # each where the path has it
@extend_schema_view(
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
class TaskViewSet(viewsets.GenericViewSet):
    """The caller's own tasks, under `/api/tasks` and `/api/{user_id}/tasks` alike."""

    serializer_class = TaskSerializer
    permission_classes = [IsAuthenticated, IsPathUser]
    filter_backends = [TaskFilterBackend, TaskSearchFilter, TaskOrderingFilter]
    filterset_class = TaskFilter
    lookup_url_kwarg = "task_id"
    lookup_value_regex = "[^/]+"  # anything: a malformed id is a 422, not a 404
    messages = {
        "list": "Tasks retrieved",
        "create": "Task created",
        "retrieve": "Task retrieved",
        "update": "Task updated",
        "partial_update": "Task updated",
        "complete": "Task completion updated",
        "restore": "Task restored",
        "trash": "Trash retrieved",
        "empty_trash": "Trash emptied",
        "bulk": "Bulk action done",
        "changes": "Changes retrieved",
    }

    def get_queryset(self):
        """Where every read starts: the caller's tasks (the services scope writes the same way)."""
        return task_list(user=self.request.user)

    def task_id(self) -> int:
        """The `{task_id}` path parameter, a positive 64-bit integer (else 422)."""
        raw = self.kwargs[self.lookup_url_kwarg]
        if not _TASK_ID.fullmatch(raw) or not 1 <= int(raw) <= _MAX_TASK_ID:
            raise InvalidTaskId()
        return int(raw)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(task_rows(self.filter_queryset(self.get_queryset())))
        return self.page_response(TaskRowSerializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        row = task_row(self.get_queryset(), task_id=self.task_id())
        if row is not None and none_match(request.headers.get("If-None-Match"), _tag(row)):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_etag(row))
        return self.task_response(row)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_create(user=request.user, **serializer.validated_data)
        headers = {"Location": self._detail_url(task.pk), **_etag(task)}
        return Response(TaskRowSerializer(task).data, status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        return self._update(request, require_title=True)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, require_title=False)

    def destroy(self, request, *args, **kwargs):
        task_id = self.task_id()
        if not task_delete(user=request.user, task_id=task_id, versions=self.if_match(task_id)):
            raise TaskNotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["patch"], url_path="complete")
    def complete(self, request, *args, **kwargs):
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task_id = self.task_id()
        versions = self.if_match(task_id)
        task = task_set_completed(
            user=request.user, task_id=task_id, versions=versions, **body.validated_data
        )
        return self.task_response(task)

    @action(detail=True, methods=["post"], url_path="restore")
    def restore(self, request, *args, **kwargs):
        task_id = self.task_id()
        versions = self.if_match(task_id)
        return self.task_response(
            task_restore(user=request.user, task_id=task_id, versions=versions)
        )

    @action(detail=False, methods=["get"], url_path="trash", filter_backends=[])
    def trash(self, request, *args, **kwargs):
        rows = self.paginate_queryset(task_rows(task_trash(user=request.user)))
        return self.page_response(TaskRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Empty your trash",
        operation_id="tasks_trash_empty",
        description="Every task in your trash is removed for good (each leaves a tombstone for "
        "the change feed).",
        responses={200: TrashEmptiedSerializer},
    )
    @trash.mapping.delete
    def empty_trash(self, request, *args, **kwargs):
        return Response({"purged": task_empty_trash(user=request.user)})

    @action(detail=False, methods=["delete"], url_path=r"trash/(?P<task_id>[^/]+)")
    def purge(self, request, *args, **kwargs):
        if not task_purge(user=request.user, task_id=self.task_id()):
            raise TaskNotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        context = {"tasks": self.get_queryset(), "trash": task_trash(user=request.user)}
        body = TaskBulkSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        action, task_ids = body.validated_data["action"], body.validated_data["ids"]
        succeeded, not_found = task_bulk(user=request.user, action=action, task_ids=task_ids)
        return Response({"succeeded": succeeded, "not_found": not_found})

    @action(
        detail=False,
        methods=["get"],
        url_path="changes",
        pagination_class=CursorFeedPagination,
        filter_backends=[],
    )
    def changes(self, request, *args, **kwargs):
        query = {name: v[0] if len(v) == 1 else v for name, v in request.query_params.lists()}
        params = ChangesParamsSerializer(data=query, context={"user_id": request.user.pk})
        params.is_valid(raise_exception=True)
        items, last, has_more = task_changes(user=request.user, **params.validated_data)
        response = Response([_change(item) for item in items])
        cursor = make_cursor(user_id=request.user.pk, seq=last)
        response.envelope_meta = {"cursor": cursor, "has_more": has_more}
        return response

    def _update(self, request, *, require_title: bool):
        task_id = self.task_id()
        context = {**self.get_serializer_context(), "require_title": require_title}
        serializer = TaskSerializer(data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        versions = self.if_match(task_id)
        task = task_update(
            user=request.user, task_id=task_id, versions=versions, **serializer.validated_data
        )
        return self.task_response(task)

    def if_match(self, task_id: int) -> set[int] | None:
        """The versions `If-Match` accepts for this task (None: no header, or `*`). A tag of
        another task, or a weak one (If-Match compares strongly), accepts none."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return None
        tags = parse_etags(header, "If-Match")
        if tags == ANY:
            return None
        versions = (_VERSION_TAG.fullmatch(tag) for weak, tag in tags if not weak)
        return {int(m.group(2)) for m in versions if m and int(m.group(1)) == task_id}

    def task_response(self, task) -> Response:
        if task is None:  # 404, not 403: another user's task looks exactly like a missing one
            raise TaskNotFound()
        return Response(TaskRowSerializer(task).data, headers=_etag(task))

    def page_response(self, data) -> Response:
        """A page of tasks with a weak ETag of what it shows (rows, count, links, parameters):
        computed from the rendered rows, no query of its own; 304 when If-None-Match has it."""
        response = self.get_paginated_response(data)
        digest = hashlib.sha256(
            orjson.dumps([data, response.envelope_meta, self.request.get_full_path()])
        ).hexdigest()[:32]
        tag = f"list-{digest}"
        if none_match(self.request.headers.get("If-None-Match"), tag):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        response["ETag"] = weak_etag(tag)
        return response

    def _detail_url(self, task_id: int) -> str:
        kwargs = {**self.kwargs, self.lookup_url_kwarg: task_id}
        return self.request.build_absolute_uri(reverse(f"{self.basename}-detail", kwargs=kwargs))


def _tag(task) -> str:
    """A task's entity tag: its id and version (both change with it, and only with it)."""
    if isinstance(task, dict):
        return f"{task['id']}-{task['version']}"
    return f"{task.pk}-{task.version}"


def _etag(task) -> dict:
    return {"ETag": strong_etag(_tag(task))}


def _change(item: dict) -> dict:
    """One entry of the change feed: the task as it is now, or `{"id", "purged": true}`."""
    if item.get("purged"):
        return {"id": item["id"], "purged": True}
    return TaskRowSerializer(item).data


@extend_schema(parameters=[USER_ID])
@extend_schema_view(
    list=extend_schema(
        summary="List your tags",
        description="Every tag on your tasks with how many tasks carry it, sorted by name "
        "ignoring letter case. A tag written in different letter cases on different tasks is "
        "one tag, named by the spelling most of them use (a tie: the one that sorts first).",
        examples=[
            OpenApiExample(
                "Tags",
                value={"name": "work", "count": 5},
                response_only=True,
            )
        ],
    )
)
class TagViewSet(viewsets.GenericViewSet):
    """The caller's tags with their counts, under `/api/tags` and `/api/{user_id}/tags`."""

    serializer_class = TagCountSerializer
    permission_classes = [IsAuthenticated, IsPathUser]
    pagination_class = None
    messages = {"list": "Tags retrieved"}

    def get_queryset(self):
        return task_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        return Response(task_tag_counts(self.get_queryset()))
