"""The chat endpoints, mounted under /api/ (the MCP endpoint is mounted at /mcp by the root)."""

urlpatterns: list = []
