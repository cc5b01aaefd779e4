"""The list endpoint's lean read path renders exactly what the ModelSerializer renders."""

import pytest

from tasks.factories import TaskFactory
from tasks.selectors import task_list, task_rows
from tasks.serializers import TaskRowSerializer, TaskSerializer

pytestmark = pytest.mark.django_db


def test_row_serializer_output_equals_model_serializer_output(user):
    TaskFactory(user=user, description=None, completed=True)
    TaskFactory(user=user, title="Émoji 🎉 title", description="")
    TaskFactory(user=user)

    rows = list(task_rows(task_list(user=user)))
    tasks = list(TaskSerializer(user.tasks.order_by("-created_at", "-id"), many=True).data)

    assert TaskRowSerializer(rows, many=True).data == tasks
    assert tasks[0]["created_at"].endswith("Z")
