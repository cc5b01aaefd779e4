"""Task request and response shapes."""

from datetime import UTC

from rest_framework import serializers

from api.fields import StrictBooleanField, StrictCharField

from .models import Task
from .selectors import TASK_ROW_FIELDS

TITLE_LENGTH = "Title must be between 1 and 200 characters."


class TaskSerializer(serializers.ModelSerializer):
    """A task; `id`, `user_id` and the timestamps are read-only (ignored when sent)."""

    user_id = serializers.CharField(read_only=True, max_length=255)  # the owner's id (`sub`)
    title = StrictCharField(
        max_length=200,
        error_messages={
            "blank": TITLE_LENGTH,
            "max_length": TITLE_LENGTH,
            "required": "Title is required.",
            "null": "Title may not be null.",
            "invalid": "Title must be a string.",
        },
    )
    description = StrictCharField(
        max_length=1000,
        allow_null=True,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        error_messages={
            "max_length": "Description must be at most 1000 characters.",
            "invalid": "Description must be a string or null.",
        },
    )
    completed = StrictBooleanField(required=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "user_id",
            "title",
            "description",
            "completed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        # PUT is a partial update that still requires a title (absent fields stay unchanged).
        if self.context.get("require_title") and "title" not in attrs:
            raise serializers.ValidationError({"title": ["Title is required."]})
        return attrs


class TaskCompleteSerializer(serializers.Serializer):
    """Body of PATCH .../complete: `{"completed": bool}` sets, no body (or no key) toggles."""

    completed = StrictBooleanField(required=False)


def _iso_utc(value) -> str:
    """DRF's ISO 8601 rendering of an aware UTC datetime: `...Z`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class TaskRowSerializer(serializers.BaseSerializer):
    """Read-only fast path: renders a task row (dict) or a Task exactly as TaskSerializer does.

    Building model instances and running each through a ModelSerializer's fields (which it
    rebuilds for every request) was over half of a list request's time and a tenth of a single
    task's (see bench/RESULTS.md); a test pins the two outputs equal. TaskSerializer still
    validates every write and documents the shape.
    """

    def to_representation(self, row) -> dict:
        if not isinstance(row, dict):
            row = {name: getattr(row, name) for name in TASK_ROW_FIELDS}
        return {
            "id": row["id"],
            "user_id": str(row["user_id"]),
            "title": row["title"],
            "description": row["description"],
            "completed": row["completed"],
            "created_at": _iso_utc(row["created_at"]),
            "updated_at": _iso_utc(row["updated_at"]),
        }
