"""Chat request and response shapes."""

from rest_framework import serializers

from api.fields import StrictCharField

from .models import Conversation, Message

MESSAGE_LENGTH = "Message must be between 1 and 4000 characters."


class ChatRequestSerializer(serializers.Serializer):
    """`{"conversation_id": <int, optional>, "message": "<1..4000 characters>"}`."""

    conversation_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Continue this conversation; leave out (or null) to start a new one.",
    )
    message = StrictCharField(
        max_length=4000,
        trim_whitespace=False,
        error_messages={
            "blank": MESSAGE_LENGTH,
            "max_length": MESSAGE_LENGTH,
            "required": "Message is required.",
            "null": "Message may not be null.",
            "invalid": "Message must be a string.",
        },
    )

    def validate_message(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(MESSAGE_LENGTH)
        if "\x00" in value:
            raise serializers.ValidationError("Null characters are not allowed.")
        return value


class ToolCallSerializer(serializers.Serializer):
    name = serializers.CharField()
    arguments = serializers.JSONField(help_text="The arguments the assistant passed.")
    result = serializers.JSONField(help_text="What the tool answered (JSON when it was JSON).")


class ChatResponseSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    response = serializers.CharField(help_text="The assistant's answer.")
    tool_calls = ToolCallSerializer(many=True)


class ConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "created_at", "updated_at"]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "role", "content", "created_at"]
