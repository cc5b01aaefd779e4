"""Task endpoints: routing, id checks and status codes; reads start at get_queryset(), writes go
through services. The OpenAPI documentation of each operation is in docs.py."""

import hashlib
import re

import orjson
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import USER_ID, IsPathUser
from api.conditional import ANY, none_match, parse_etags, strong_etag, weak_etag
from api.envelope import json_bytes
from api.idempotency import idempotent
from api.pagination import CursorFeedPagination

from .bulk import task_bulk
from .changes import make_cursor, task_changes
from .docs import EMPTY_TRASH, task_docs
from .exceptions import InvalidTaskId, TaskNotFound
from .filters import (
    TaskFilter,
    TaskFilterBackend,
    TaskOrderingFilter,
    TaskSearchFilter,
    list_shape,
)
from .selectors import (
    TASK_LIST_PAGES,
    task_list,
    task_row,
    task_rows,
    task_tag_counts,
    task_trash,
)
from .serializers import (
    ChangesParamsSerializer,
    TagCountSerializer,
    TaskBulkSerializer,
    TaskCompleteSerializer,
    TaskInputSerializer,
    TaskRowSerializer,
    TaskSerializer,
)
from .services import task_create, task_delete, task_restore, task_set_completed, task_update
from .trash import task_empty_trash, task_purge

_TASK_ID = re.compile(r"[0-9]{1,19}")
_VERSION_TAG = re.compile(r"([1-9][0-9]{0,18})-([1-9][0-9]{0,9})")  # a task's ETag: id-version
_MAX_TASK_ID = 2**63 - 1


@task_docs
class TaskViewSet(viewsets.GenericViewSet):
    """The caller's own tasks, under `/api/tasks` and `/api/{user_id}/tasks` alike."""

    serializer_class = TaskSerializer
    permission_classes = [IsAuthenticated, IsPathUser]
    filter_backends = [TaskFilterBackend, TaskSearchFilter, TaskOrderingFilter]
    filterset_class = TaskFilter
    lookup_url_kwarg = "task_id"
    # Anything but the fixed paths (a malformed id is a 422, not a 404): `bulk/complete` is an
    # unknown URL, not task "bulk".
    lookup_value_regex = "(?!(?:trash|bulk|changes)(?:/|$))[^/]+"
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
        rows = self.paginator.paginate_compiled(
            request,
            TASK_LIST_PAGES,
            list_shape(request.query_params),
            lambda: task_rows(self.filter_queryset(self.get_queryset())),
        )
        return self.page_response(TaskRowSerializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        row = task_row(self.get_queryset(), task_id=self.task_id())
        if row is not None and none_match(request.headers.get("If-None-Match"), _tag(row)):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_etag(row))
        return self.task_response(row)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = TaskInputSerializer(data=request.data, context=self.get_serializer_context())
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
    @idempotent
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
    @idempotent
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

    @EMPTY_TRASH
    @trash.mapping.delete
    def empty_trash(self, request, *args, **kwargs):
        return Response({"purged": task_empty_trash(user=request.user)})

    @action(detail=False, methods=["delete"], url_path=r"trash/(?P<task_id>[^/]+)")
    def purge(self, request, *args, **kwargs):
        if not task_purge(user=request.user, task_id=self.task_id()):
            raise TaskNotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["post"], url_path="bulk")
    @idempotent
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
        serializer = TaskInputSerializer(data=request.data, partial=True, context=context)
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
        # The rows are written to JSON once: hashed here, and embedded as they are by the
        # renderer (orjson.Fragment), which then writes only the envelope around them.
        rows = orjson.Fragment(json_bytes(data))
        response = self.get_paginated_response(rows)
        digest = hashlib.sha256(
            json_bytes([rows, response.envelope_meta, self.request.get_full_path()])
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
    task = {name: value for name, value in item.items() if name != "change_seq"}  # internal
    return TaskRowSerializer(task).data


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
