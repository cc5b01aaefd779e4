"""The lean read path renders exactly what the ModelSerializer renders: the same JSON, through
the API's renderer (rows keep their datetimes; the renderer writes them as DRF does)."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from api.envelope import EnvelopeJSONRenderer
from tasks.factories import TaskFactory
from tasks.rules import Priority
from tasks.selectors import task_list, task_rows
from tasks.serializers import TaskRowSerializer, TaskSerializer

pytestmark = pytest.mark.django_db


def _rendered(data):
    """What a client receives, parsed back."""
    return orjson.loads(EnvelopeJSONRenderer().render(data))


def test_row_serializer_output_equals_model_serializer_output(user):
    due = datetime(2030, 12, 6, 16, 0, 0, 123456, tzinfo=UTC)
    TaskFactory(user=user, description=None, completed=True)
    TaskFactory(user=user, title="Émoji 🎉 title", description="", priority=Priority.LOW)
    parent = TaskFactory(
        user=user,
        priority=Priority.HIGH,
        tags=["work", "Éte", "a b"],
        due_at=due,
        remind_at=due - timedelta(minutes=30),
        recurrence="FREQ=WEEKLY;BYDAY=FR",
        completed=True,
    )
    child = TaskFactory(user=user, due_at=due + timedelta(weeks=1), recurrence=parent.recurrence)
    parent.next_occurrence = child
    parent.save()

    rows = list(task_rows(task_list(user=user)))
    tasks = list(TaskSerializer(user.tasks.order_by("-created_at", "-id"), many=True).data)

    assert _rendered(TaskRowSerializer(rows, many=True).data) == tasks
    assert tasks[0]["created_at"].endswith("Z")
    assert tasks[1]["due_at"] == "2030-12-06T16:00:00.123456Z"
    assert tasks[1]["next_occurrence_id"] == child.pk
    assert tasks[1]["priority"] == "high"


def test_row_serializer_renders_a_model_instance_too(user):
    task = TaskFactory(user=user, tags=["x"], due_at=datetime(2030, 1, 1, tzinfo=UTC))

    assert _rendered(TaskRowSerializer(task).data) == TaskSerializer(task).data
