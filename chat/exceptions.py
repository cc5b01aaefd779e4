"""What the chat endpoints refuse, each with its contract code (api.errors does the rest)."""

from api.errors import InvalidParameter, ResourceNotFound, ServiceUnavailable


class ConversationNotFound(ResourceNotFound):
    """A conversation that does not exist or is not the caller's (never told apart)."""

    default_detail = "Conversation not found."


class InvalidConversationId(InvalidParameter):
    default_detail = {"id": ["Must be a positive integer."]}


class ChatNotConfigured(ServiceUnavailable):
    """No OPENAI_API_KEY: the assistant cannot answer (the MCP tools still work)."""

    default_detail = "The assistant is not configured on this server."
