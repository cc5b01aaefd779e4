"""The MCP endpoint (/mcp) and the chat endpoints (/api/chat...)."""

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from .mcp_http import serve_mcp


@extend_schema(exclude=True)  # the MCP transport is described by its own protocol, not OpenAPI
class McpView(APIView):
    """`/mcp`: the MCP SDK's streamable-HTTP transport, for the token's user only.

    Authentication and the 401 are the API's own (the default auth class and IsAuthenticated);
    the SDK then answers the request, Accept-header checks and JSON-RPC errors included.
    """

    http_method_names = ["get", "post", "delete", "options"]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # errors stay JSON

    def post(self, request, *args, **kwargs):
        return serve_mcp(request._request, user=request.user)

    get = delete = post
