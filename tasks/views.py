"""Task endpoints: routing, id checks and status codes; reads via selectors, writes via services."""

import re
import uuid

from django.urls import reverse
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.errors import ResourceNotFound, UnprocessableEntity

from .selectors import task_get, task_list, task_rows
from .serializers import TaskCompleteSerializer, TaskRowSerializer, TaskSerializer
from .services import task_create, task_delete, task_set_completed, task_update

_TASK_ID = re.compile(r"[0-9]{1,19}")
_MAX_TASK_ID = 2**63 - 1


class TaskViewSet(viewsets.GenericViewSet):
    """The caller's own tasks, under `/api/tasks` and `/api/{user_id}/tasks` alike."""

    serializer_class = TaskSerializer
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
        return task_list(user=self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication comes first: 401 before 403
        self._check_path_user()

    def _check_path_user(self) -> None:
        raw = self.kwargs.get("user_id")
        if raw is None:
            return
        try:
            path_user = uuid.UUID(raw)
        except ValueError:
            raise UnprocessableEntity({"user_id": ["Must be a valid UUID."]}) from None
        if path_user != self.request.user.pk:
            # 403 whether or not that user exists: the id says nothing about other accounts.
            raise PermissionDenied("You can only access your own tasks.")

    def task_id(self) -> int:
        """The `{task_id}` path parameter, a positive 64-bit integer (else 422)."""
        raw = self.kwargs[self.lookup_field]
        if not _TASK_ID.fullmatch(raw) or not 1 <= int(raw) <= _MAX_TASK_ID:
            raise UnprocessableEntity({"task_id": ["Must be a positive integer."]})
        return int(raw)

    def finalize_response(self, request, response, *args, **kwargs):
        response.envelope_message = self.messages.get(self.action)
        return super().finalize_response(request, response, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(task_rows(user=request.user))
        return self.get_paginated_response(TaskRowSerializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._task_response(task_get(user=request.user, task_id=self.task_id()))

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
            raise ResourceNotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["patch"], url_path="complete")
    def complete(self, request, *args, **kwargs):
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = task_set_completed(user=request.user, task_id=self.task_id(), **body.validated_data)
        return self._task_response(task)

    def _update(self, request, *, require_title: bool):
        task_id = self.task_id()
        context = {**self.get_serializer_context(), "require_title": require_title}
        serializer = TaskSerializer(data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        task = task_update(user=request.user, task_id=task_id, **serializer.validated_data)
        return self._task_response(task)

    def _task_response(self, task):
        if task is None:  # 404, not 403: another user's task looks exactly like a missing one
            raise ResourceNotFound()
        return Response(TaskRowSerializer(task).data)

    def _detail_url(self, task_id: int) -> str:
        kwargs = {**self.kwargs, self.lookup_field: task_id}
        return self.request.build_absolute_uri(reverse(f"{self.basename}-detail", kwargs=kwargs))
