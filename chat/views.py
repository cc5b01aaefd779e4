"""The MCP endpoint (/mcp) and the chat endpoints (/api/chat...)."""

import re

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import USER_ID, IsPathUser
from api.errors import UpstreamError

from .agent import ProviderFailed, assistant_configured, assistant_reply
from .exceptions import ChatNotConfigured, ConversationNotFound, InvalidConversationId
from .mcp_http import serve_mcp
from .models import Message
from .selectors import (
    HISTORY_CHARACTERS,
    HISTORY_MESSAGES,
    conversation_get,
    conversation_list,
    message_history,
    message_list,
)
from .serializers import (
    ChatRequestSerializer,
    ChatResponseSerializer,
    ConversationSerializer,
    MessageSerializer,
)
from .services import message_add
from .throttling import ChatRateThrottle

_ID = re.compile(r"[0-9]{1,19}")
CONVERSATION_ID = OpenApiParameter(
    "id",
    {"type": "integer", "format": "int64", "minimum": 1},
    OpenApiParameter.PATH,
    description="The conversation's id (not a positive integer: 422).",
)


@extend_schema(exclude=True)  # the MCP transport is described by its own protocol, not OpenAPI
class McpView(APIView):
    """`/mcp`: the MCP SDK's streamable-HTTP transport, for the token's user only.

    Authentication and the 401 are the API's own (the default auth class and IsAuthenticated);
    the SDK then answers the request, Accept-header checks and JSON-RPC errors included.
    """

    # POST only: stateless, there is no session to DELETE, and no server-initiated stream to GET
    # (405, as the transport's spec allows); a GET stream would hold a worker thread forever.
    http_method_names = ["post", "options"]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # errors stay JSON

    def post(self, request, *args, **kwargs):
        return serve_mcp(request._request, user=request.user)


CHAT_EXAMPLE = {
    "conversation_id": 12,
    "response": "Added 'Buy milk' to your list.",
    "tool_calls": [
        {
            "name": "add_task",
            "arguments": {"title": "Buy milk"},
            "result": {"task_id": 42, "status": "created", "title": "Buy milk"},
        }
    ],
}


class ChatView(APIView):
    """`POST /api/chat` and `/api/{user_id}/chat`: one exchange with the assistant."""

    permission_classes = [IsAuthenticated, IsPathUser]
    throttle_classes = [ChatRateThrottle]
    messages = {"post": "Reply generated"}

    @extend_schema(
        summary="Talk to the assistant",
        description="The assistant (OpenAI Agents SDK, the MCP tools acting as you) answers "
        "`message`, after the conversation's earlier messages (the last "
        f"{HISTORY_MESSAGES} that fit in {HISTORY_CHARACTERS} characters). Nothing is kept "
        "between requests but the database: the message is stored before the assistant runs, "
        "its answer after (a 502 leaves the message without an answer; a 503 stores nothing). "
        "Without `conversation_id` a new conversation starts.",
        parameters=[USER_ID],
        request=ChatRequestSerializer,
        responses={
            200: ChatResponseSerializer,
            404: ConversationNotFound,
            502: UpstreamError,
            503: ChatNotConfigured,
        },
        examples=[
            OpenApiExample("Ask", value={"message": "Add buy milk"}, request_only=True),
            OpenApiExample("Answer", value=CHAT_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, *args, **kwargs):
        body = ChatRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conversation = self._conversation(body.validated_data.get("conversation_id"))
        if not assistant_configured():
            raise ChatNotConfigured()
        history = message_history(conversation=conversation) if conversation else []
        asked = self._add(conversation, Message.Role.USER, body.validated_data["message"])
        reply = self._reply(history, asked.content)
        self._add(asked.conversation, Message.Role.ASSISTANT, reply.text, reply.tool_calls)
        data = {"conversation_id": asked.conversation_id, "response": reply.text}
        return Response({**data, "tool_calls": reply.tool_calls})

    def _conversation(self, conversation_id):
        if conversation_id is None:
            return None
        conversation = conversation_get(user=self.request.user, conversation_id=conversation_id)
        if conversation is None:  # 404, not 403: someone else's looks like a missing one
            raise ConversationNotFound()
        return conversation

    def _add(self, conversation, role, content, tool_calls=()):
        user = self.request.user
        return message_add(
            user=user, conversation=conversation, role=role, content=content, tool_calls=tool_calls
        )

    def _reply(self, history, message):
        try:
            return assistant_reply(user=self.request.user, history=history, message=message)
        except ProviderFailed:
            raise UpstreamError() from None


@extend_schema_view(
    list=extend_schema(
        operation_id="chat_conversations_list",
        summary="Your conversations",
        description="The most recently active first; paginated.",
    ),
    conversation_messages=extend_schema(
        operation_id="chat_conversation_messages",
        summary="A conversation's messages",
        description="Oldest first; paginated. Another user's conversation is a 404.",
        parameters=[CONVERSATION_ID],
        responses={200: MessageSerializer(many=True), 404: ConversationNotFound},
    ),
)
class ConversationViewSet(viewsets.GenericViewSet):
    """The caller's conversations and their messages, for a chat UI's history."""

    serializer_class = ConversationSerializer
    messages = {"list": "Conversations retrieved", "conversation_messages": "Messages retrieved"}

    def get_queryset(self):
        return conversation_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)

    @action(detail=True, methods=["get"], url_path="messages", serializer_class=MessageSerializer)
    def conversation_messages(self, request, *args, **kwargs):
        conversation = conversation_get(user=request.user, conversation_id=self._id())
        if conversation is None:
            raise ConversationNotFound()
        page = self.paginate_queryset(message_list(conversation=conversation))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    def _id(self) -> int:
        raw = self.kwargs["pk"]
        if not _ID.fullmatch(raw) or not 1 <= int(raw) <= 2**63 - 1:
            raise InvalidConversationId()
        return int(raw)
