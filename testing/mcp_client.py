"""The MCP SDK's own client, over real HTTP, against live server processes (chat tests)."""

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


class RoundRobinTransport(httpx2.AsyncHTTPTransport):
    """Sends each request to the next of several servers (same path): proof of statelessness."""

    def __init__(self, ports: list[int]):
        super().__init__()
        self.ports = itertools.cycle(ports)
        self.sent: list[int] = []

    async def handle_async_request(self, request):
        port = next(self.ports)
        self.sent.append(port)
        request.url = request.url.copy_with(port=port)
        return await super().handle_async_request(request)


def run_client(
    url: str,
    token: str | None,
    action: Callable[[Client], Awaitable],
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    mode: str = "legacy",
):
    """`action(client)` inside an MCP session (the initialize handshake first, in legacy mode)."""

    async def main():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30, transport=transport) as http,
            Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=mode) as client,
        ):
            return await action(client)

    return asyncio.run(main())


def call(url: str, token: str, name: str, arguments: dict, **options):
    """One tool call: (is_error, the result's first text content, parsed as JSON when it is)."""

    async def action(client: Client):
        return await client.call_tool(name, arguments)

    result = run_client(url, token, action, **options)
    text = result.content[0].text if result.content else ""
    try:
        return result.is_error, json.loads(text)
    except ValueError:
        return result.is_error, text
