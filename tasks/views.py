"""Task endpoints: routing, id checks and status codes; reads start at get_queryset(), writes go
through services. The OpenAPI documentation of each operation is the decorators'."""

import re

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import USER_ID, IsPathUser
from api.idempotency import idempotent

from .exceptions import InvalidTaskId, TaskNotFound
from .filters import TaskFilter, TaskFilterBackend, TaskOrderingFilter, TaskSearchFilter
from .schema import FILTER_PARAMETERS
from .selectors import task_list, task_row, task_rows, task_tag_counts
from .serializers import (
    TagCountSerializer,
    TaskCompleteSerializer,
    TaskRowSerializer,
    TaskSerializer,
)
from .services import task_create, task_delete, task_set_completed, task_update

_TASK_ID = re.compile(r"[0-9]{1,19}")
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
    "created_at": "2025-01-31T09:15:00.123456Z",
    "updated_at": "2025-01-31T09:15:00.123456Z",
}
ON_ONE_TASK = {404: TaskNotFound, 422: InvalidTaskId}
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
        parameters=FILTER_PARAMETERS,
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
            )
        ],
    ),
    retrieve=_docs("Get one task", result={}, responses={200: TaskSerializer, **ON_ONE_TASK}),
    update=_docs(
        "Update a task (title required)",
        description="`title` is required; absent `description`/`completed` stay as is.",
        sends=[("New title", {"title": "Buy oat milk"})],
        result={"title": "Buy oat milk"},
        responses={200: TaskSerializer, **ON_ONE_TASK},
    ),
    partial_update=_docs(
        "Change some fields of a task",
        sends=[("Mark done", {"completed": True})],
        result={"completed": True},
        responses={200: TaskSerializer, **ON_ONE_TASK},
    ),
    destroy=_docs("Delete a task", responses={204: None, **ON_ONE_TASK}),
    complete=_docs(
        "Toggle or set a task's completion",
        operation_id="tasks_complete",
        description='No body toggles `completed`; `{"completed": true|false}` sets it. '
        "Completing a recurring task creates its next occurrence (once per task, ever).",
        request=TaskCompleteSerializer,
        sends=[("Set", {"completed": True})],
        result={"completed": True},
        responses={200: TaskSerializer, **ON_ONE_TASK},
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
        return self.get_paginated_response(TaskRowSerializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self.task_response(task_row(self.get_queryset(), task_id=self.task_id()))

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_create(user=request.user, **serializer.validated_data)
        headers = {"Location": self._detail_url(task.pk)}
        return Response(TaskRowSerializer(task).data, status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        return self._update(request, require_title=True)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, require_title=False)

    def destroy(self, request, *args, **kwargs):
        if not task_delete(user=request.user, task_id=self.task_id()):
            raise TaskNotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["patch"], url_path="complete")
    @idempotent
    def complete(self, request, *args, **kwargs):
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = task_set_completed(user=request.user, task_id=self.task_id(), **body.validated_data)
        return self.task_response(task)

    def _update(self, request, *, require_title: bool):
        task_id = self.task_id()
        context = {**self.get_serializer_context(), "require_title": require_title}
        serializer = TaskSerializer(data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        task = task_update(user=request.user, task_id=task_id, **serializer.validated_data)
        return self.task_response(task)

    def task_response(self, task) -> Response:
        if task is None:  # 404, not 403: another user's task looks exactly like a missing one
            raise TaskNotFound()
        return Response(TaskRowSerializer(task).data)

    def _detail_url(self, task_id: int) -> str:
        kwargs = {**self.kwargs, self.lookup_url_kwarg: task_id}
        return self.request.build_absolute_uri(reverse(f"{self.basename}-detail", kwargs=kwargs))


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
