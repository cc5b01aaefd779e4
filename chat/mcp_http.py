"""The MCP SDK's streamable-HTTP transport, served from Django's WSGI request cycle.

Each request gets a fresh stateless session manager (JSON responses, no SSE stream kept open),
run inside `async_to_sync` on the request's own thread: any server process can answer any
request, and a tool's `sync_to_async(thread_sensitive=True)` lands back on this thread, with
its database connection. The caller reaches the tools through `tools.acting_user`.
"""

from dataclasses import dataclass, field

import anyio
from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from .tools import acting_user, server

# Django has already checked the Host header against ALLOWED_HOSTS; the SDK's own
# DNS-rebinding check (made for unauthenticated local servers) would refuse the real host names.
_SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)
_DROPPED_HEADERS = {"authorization", "cookie"}  # the SDK needs neither: no token goes further


@dataclass
class _Collected:
    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)


def asgi_scope(request: HttpRequest) -> dict:
    """An ASGI HTTP scope for the Django request, at the SDK's path `/mcp`."""
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
        if name.lower() not in _DROPPED_HEADERS
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": "/mcp",
        "raw_path": b"/mcp",
        "root_path": "",
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
        "server": (request.get_host(), int(request.get_port() or 0)),
    }


async def _serve(scope: dict, body: bytes, user) -> _Collected:
    acting_user.set(user)
    collected = _Collected()
    finished = anyio.Event()
    sent_body = False

    async def receive() -> dict:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # the client is still there until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            collected.status = message["status"]
            raw = message.get("headers", [])
            collected.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        elif message["type"] == "http.response.body":
            collected.body.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    manager = StreamableHTTPSessionManager(
        app=server._lowlevel_server,  # noqa: SLF001 - the SDK's own Client reaches it the same way
        json_response=True,
        stateless=True,
        security_settings=_SECURITY,
    )
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    finished.set()
    return collected


def serve_mcp(request: HttpRequest, *, user) -> HttpResponse:
    """The SDK's answer to this request, made as `user`."""
    collected = async_to_sync(_serve)(asgi_scope(request), request.body, user)
    response = HttpResponse(b"".join(collected.body), status=collected.status)
    for name, value in collected.headers:
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            response[name] = value
    return response
