"""The assistant: the OpenAI Agents SDK over a Chat Completions provider, with the MCP tools.

The agent's tools are the MCP server's own (chat.tools), reached in process through the MCP
SDK's client, so the assistant can do exactly what an MCP client at /mcp can, as the same user.
Tracing is off: nothing of a conversation goes anywhere but the configured provider.
"""

import asyncio
import json
import logging
import math
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import openai
from agents import (
    Agent,
    AgentsException,
    ModelSettings,
    OpenAIChatCompletionsModel,
    RunConfig,
    Runner,
    set_tracing_disabled,
)
from agents.items import ToolCallItem, ToolCallOutputItem
from agents.mcp import MCPServer as AgentMCPServer
from asgiref.sync import async_to_sync
from django.conf import settings
from mcp import Client

from . import tools

set_tracing_disabled(True)  # no traces to OpenAI's tracing service, whichever provider answers
logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "You are the assistant of a todo app. Manage the user's tasks with the tools: add, list, "
    "complete, update and delete them. Look tasks up with list_tasks before changing one you "
    "only know by name. Never pass a user_id. Answer briefly and say what you did."
)
MAX_TURNS = 10


class ProviderFailed(Exception):
    """The model's provider failed, answered nonsense, or took longer than allowed."""


@dataclass
class Reply:
    text: str
    tool_calls: list[dict] = field(default_factory=list)


class InProcessTools(AgentMCPServer):
    """The Agents SDK's view of chat.tools.server, through an in-process MCP client session."""

    def __init__(self):
        super().__init__(use_structured_content=False)
        self._stack = AsyncExitStack()
        self._client: Client | None = None

    @property
    def name(self) -> str:
        return "todo"

    async def connect(self):
        self._client = await self._stack.enter_async_context(Client(tools.server))

    async def cleanup(self):
        await self._stack.aclose()
        self._client = None

    async def list_tools(self, run_context=None, agent=None):
        return (await self._client.list_tools()).tools

    async def call_tool(self, tool_name, arguments, meta=None):
        return await self._client.call_tool(tool_name, arguments or {})

    async def list_prompts(self):
        return await self._client.list_prompts()

    async def get_prompt(self, name, arguments=None):
        return await self._client.get_prompt(name, arguments)


def _model() -> OpenAIChatCompletionsModel:
    client = openai.AsyncOpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.CHAT_TIMEOUT_SECONDS,
        max_retries=1,
    )
    return OpenAIChatCompletionsModel(model=settings.CHAT_MODEL, openai_client=client)


def _is_text(value) -> bool:
    return isinstance(value, dict) and value.get("type") == "text" and "text" in value


def _parsed(value):
    """A tool's arguments or result as JSON data: the Agents SDK hands over JSON text, or an MCP
    text content (`{"type": "text", "text": ...}`) whose text is itself JSON when the tool's
    answer was."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if _is_text(value):
        return _parsed(value["text"])
    if isinstance(value, list) and value and all(_is_text(v) for v in value):
        return [_parsed(v["text"]) for v in value]
    return value


def _tool_calls(items) -> list[dict]:
    """`[{"name", "arguments", "result"}]` in call order, from the run's new items."""
    calls, results = [], {}
    for item in items:
        if isinstance(item, ToolCallItem):
            calls.append(item.raw_item)
        elif isinstance(item, ToolCallOutputItem):
            raw = item.raw_item
            call_id = raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", None)
            results[call_id] = item.output
    return [
        {
            "name": getattr(call, "name", None),
            "arguments": _parsed(getattr(call, "arguments", None)),
            "result": _parsed(results.get(getattr(call, "call_id", None))),
        }
        for call in calls
    ]


async def _run(user, history: list[dict], message: str, stream: bool) -> Reply:
    tools.acting_user.set(user)
    server = InProcessTools()
    agent = Agent(
        name="Todo assistant",
        instructions=INSTRUCTIONS,
        model=_model(),
        model_settings=ModelSettings(parallel_tool_calls=False),
        mcp_servers=[server],
    )
    conversation = [*history, {"role": "user", "content": message}]
    config = RunConfig(tracing_disabled=True, trace_include_sensitive_data=False)
    await server.connect()
    try:
        if stream:
            result = Runner.run_streamed(
                agent, conversation, max_turns=MAX_TURNS, run_config=config
            )
            async for _ in result.stream_events():
                pass
        else:
            result = await Runner.run(agent, conversation, max_turns=MAX_TURNS, run_config=config)
    finally:
        await server.cleanup()
    return Reply(text=str(result.final_output or ""), tool_calls=_tool_calls(result.new_items))


async def _run_with_timeout(user, history, message, stream) -> Reply:
    try:
        return await asyncio.wait_for(
            _run(user, history, message, stream), timeout=settings.CHAT_TIMEOUT_SECONDS
        )
    except TimeoutError:
        logger.warning("Chat model timed out after %ss", settings.CHAT_TIMEOUT_SECONDS)
        raise ProviderFailed() from None
    except (openai.OpenAIError, AgentsException, UnicodeError) as error:
        # The type only: a provider's message may quote the request. A UnicodeError: the model
        # sent text with a lone surrogate (JSON allows "\ud800"), which the SDK cannot encode.
        logger.warning("Chat model failed: %s", type(error).__name__)
        raise ProviderFailed() from None


def _storable(value):
    """`value` as JSON and every database can keep it: each NUL and lone surrogate a provider's
    JSON may carry replaced by U+FFFD (neither UTF-8 nor PostgreSQL's text and jsonb hold them),
    and numbers JSON cannot carry (NaN, infinities, integers beyond 64 bits, which Python's
    JSON reads but the renderer and jsonb refuse) as text. Strings in dicts and lists too."""
    if isinstance(value, str):
        return (
            value.replace("\x00", "\ufffd")
            .encode("utf-16", "surrogatepass")
            .decode("utf-16", "replace")
        )
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {_storable(str(key)): _storable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(inner) for inner in value]
    return value


def assistant_configured() -> bool:
    """Whether a provider key is set (without one the assistant cannot answer)."""
    return bool(settings.OPENAI_API_KEY)


def assistant_reply(*, user, history: list[dict], message: str, stream: bool = False) -> Reply:
    """The assistant's answer to `message` after `history`, its tools acting as `user`.

    `stream=True` speaks to the provider in streaming form (server-sent events); the answer is
    the same. Runs on the calling thread's event loop bridge (async_to_sync), so the tools' ORM
    calls come back to this thread. CHAT_TIMEOUT_SECONDS bounds the whole run.
    """
    reply = async_to_sync(_run_with_timeout)(user, history, message, stream)
    return Reply(text=_storable(reply.text), tool_calls=_storable(reply.tool_calls))
