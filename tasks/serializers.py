"""Task request and response shapes."""

from rest_framework import serializers

from todo_project.fields import StrictBooleanField, StrictCharField

from .models import Task

TITLE_LENGTH = "Title must be between 1 and 200 characters."


class TaskSerializer(serializers.ModelSerializer):
    """A task; `id`, `user_id` and the timestamps are read-only (ignored when sent)."""

    user_id = serializers.UUIDField(read_only=True)
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
