"""The chat endpoints under /api/: `chat` on both mounts, the history under `/api/chat/`
(trailing slash optional). The MCP endpoint is mounted at /mcp by the root URLconf."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import ChatView, ConversationViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("chat/conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    re_path(r"^chat/?$", ChatView.as_view(), name="chat"),
    re_path(r"^(?P<user_id>[^/]*)/chat/?$", ChatView.as_view(), name="user-chat"),
    *router.urls,
]
