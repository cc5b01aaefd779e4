"""The MCP tools, driven by the SDK's own client over real HTTP against two live server
processes that share one database: any process answers any request (stateless)."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
import requests
from mcp.shared.exceptions import MCPError

from testing.live_server import live_server_process, shared_sqlite_env
from testing.mcp_client import RoundRobinTransport, call, run_client

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    env = shared_sqlite_env(tmp_path_factory.mktemp("mcp"))
    with (
        live_server_process(env=env, threads=2) as one,
        live_server_process(env=env, threads=2) as two,
    ):
        yield one, two


@pytest.fixture
def one(servers):
    return servers[0]


@pytest.fixture
def me():
    return str(uuid.uuid4())


def rest_tasks(server, user_id) -> list[dict]:
    response = requests.get(f"{server.url}/api/tasks", headers=server.headers(user_id), timeout=10)
    assert response.status_code == 200
    return response.json()["data"]


def rest_task(server, user_id, task_id) -> requests.Response:
    url = f"{server.url}/api/tasks/{task_id}"
    return requests.get(url, headers=server.headers(user_id), timeout=10)


def add(server, user_id, **arguments) -> int:
    is_error, result = call(server.url, server.token(user_id), "add_task", arguments)
    assert is_error is False, result
    return result["task_id"]


def test_tools_are_listed_with_typed_limited_schemas(one, me):
    async def tools(client):
        return (await client.list_tools()).tools

    listed = {tool.name: tool.input_schema for tool in run_client(one.url, one.token(me), tools)}

    assert set(listed) == {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
    assert listed["add_task"]["required"] == ["title"]
    assert listed["add_task"]["properties"]["title"]["maxLength"] == 200
    assert listed["add_task"]["properties"]["priority"]["enum"] == ["low", "medium", "high"]
    assert listed["add_task"]["properties"]["tags"]["maxItems"] > 0
    assert listed["list_tasks"]["properties"]["limit"] == {
        "default": 50,
        "description": "At most this many.",
        "maximum": 100,
        "minimum": 1,
        "title": "Limit",
        "type": "integer",
    }
    assert listed["list_tasks"]["properties"]["status"]["enum"] == ["all", "pending", "completed"]
    assert listed["complete_task"]["properties"]["task_id"]["minimum"] == 1
    assert "user_id" not in listed["update_task"]["required"]


def test_a_session_opened_on_one_process_goes_on_on_the_other(servers, me):
    one, two = servers
    transport = RoundRobinTransport([int(server.url.rsplit(":", 1)[1]) for server in servers])

    async def session(client):
        created = await client.call_tool("add_task", {"title": "Buy milk", "priority": "high"})
        listed = await client.call_tool("list_tasks", {})
        return created, listed

    created, listed = run_client(one.url, one.token(me), session, transport=transport)

    assert len(transport.sent) >= 4
    assert len(set(transport.sent)) == 2  # both processes served the one session
    assert created.is_error is False
    result = json.loads(created.content[0].text)
    assert result == {"task_id": result["task_id"], "status": "created", "title": "Buy milk"}
    assert '"title": "Buy milk"' in listed.content[0].text
    assert [(t["title"], t["priority"]) for t in rest_tasks(two, me)] == [("Buy milk", "high")]


def test_add_task_takes_the_planning_fields(one, me):
    task_id = add(
        one,
        me,
        title="Pay rent",
        description="Monthly",
        tags=["home", "money"],
        due_at="2031-01-01T09:00:00Z",
        recurrence="FREQ=MONTHLY",
    )

    task = rest_task(one, me, task_id).json()["data"]
    assert (task["description"], task["tags"], task["due_at"], task["recurrence"]) == (
        "Monthly",
        ["home", "money"],
        "2031-01-01T09:00:00Z",
        "FREQ=MONTHLY",
    )


def test_list_tasks_filters_searches_orders_and_limits(one, me):
    add(one, me, title="b low", priority="low", tags=["Work"])
    add(one, me, title="a high", priority="high")
    done = add(one, me, title="c done")
    call(one.url, one.token(me), "complete_task", {"task_id": done})

    def titles(**arguments):
        is_error, result = call(one.url, one.token(me), "list_tasks", arguments)
        assert is_error is False, result
        return [task["title"] for task in result]

    assert titles() == ["c done", "a high", "b low"]
    assert titles(status="pending", ordering="title") == ["a high", "b low"]
    assert titles(status="completed") == ["c done"]
    assert titles(priority="high") == ["a high"]
    assert titles(tag="work") == ["b low"]
    assert titles(search="low") == ["b low"]
    assert titles(limit=1) == ["c done"]
    _, result = call(one.url, one.token(me), "list_tasks", {"limit": 1})
    assert set(result[0]) == {
        "id",
        "title",
        "description",
        "completed",
        "priority",
        "tags",
        "due_at",
        "recurrence",
    }


def test_list_tasks_shows_only_the_callers_tasks(one, me):
    add(one, str(uuid.uuid4()), title="someone else's")

    assert call(one.url, one.token(me), "list_tasks", {}) == (False, [])


def test_complete_task_completes_and_a_recurring_task_gets_its_next_occurrence(one, me):
    due = "2031-01-01T09:00:00Z"
    task_id = add(one, me, title="Water plants", due_at=due, recurrence="FREQ=DAILY")

    result = call(one.url, one.token(me), "complete_task", {"task_id": task_id})

    assert result == (False, {"task_id": task_id, "status": "completed", "title": "Water plants"})
    tasks = {t["id"]: t for t in rest_tasks(one, me)}
    assert tasks[task_id]["completed"] is True
    follow_up = tasks[tasks[task_id]["next_occurrence_id"]]
    assert (follow_up["completed"], follow_up["due_at"]) == (False, "2031-01-02T09:00:00Z")


def test_update_task_changes_only_what_is_given_and_null_clears(one, me):
    task_id = add(one, me, title="Old", description="keep me", due_at="2031-01-01T09:00:00Z")

    renamed = call(one.url, one.token(me), "update_task", {"task_id": task_id, "title": "New"})
    cleared = call(one.url, one.token(me), "update_task", {"task_id": task_id, "due_at": None})

    assert renamed == (False, {"task_id": task_id, "status": "updated", "title": "New"})
    assert cleared[0] is False
    task = rest_task(one, me, task_id).json()["data"]
    assert (task["title"], task["description"], task["due_at"]) == ("New", "keep me", None)


def test_delete_task_moves_it_to_the_trash(one, me):
    task_id = add(one, me, title="Old news")

    result = call(one.url, one.token(me), "delete_task", {"task_id": task_id})

    assert result == (False, {"task_id": task_id, "status": "deleted", "title": "Old news"})
    assert rest_task(one, me, task_id).status_code == 404
    trash = requests.get(f"{one.url}/api/tasks/trash", headers=one.headers(me), timeout=10)
    assert [(t["id"], t["title"]) for t in trash.json()["data"]] == [(task_id, "Old news")]
    assert trash.json()["data"][0]["deleted_at"] is not None


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("add_task", {"title": ""}, "title: Title must be between 1 and 200 characters."),
        ("add_task", {"title": "x" * 201}, "title: Title must be between 1 and 200 characters."),
        ("add_task", {"title": "t", "priority": "urgent"}, "priority: "),
        ("add_task", {"title": "t", "recurrence": "FREQ=DAILY"}, "recurrence: "),
        ("add_task", {"title": "t", "due_at": "tomorrow"}, "due_at: "),
        ("list_tasks", {"limit": 101}, "limit"),
        ("list_tasks", {"ordering": "colour"}, "ordering: "),
        ("list_tasks", {"status": "later"}, "status"),
        ("update_task", {"task_id": 0, "title": "t"}, "task_id"),
    ],
)
def test_invalid_arguments_are_tool_errors_with_rest_messages(one, me, name, arguments, message):
    is_error, text = call(one.url, one.token(me), name, arguments)

    assert is_error is True
    assert message in text
    assert rest_tasks(one, me) == []


def test_validation_messages_are_the_rest_apis(one, me):
    response = requests.post(
        f"{one.url}/api/tasks",
        json={"title": "t", "priority": "urgent"},
        headers=one.headers(me),
        timeout=10,
    )
    rest_message = response.json()["error"]["details"]["priority"][0]

    is_error, text = call(one.url, one.token(me), "add_task", {"title": "t", "priority": "urgent"})

    assert is_error is True
    assert f"priority: {rest_message}" in text


@pytest.mark.parametrize("name", ["complete_task", "delete_task", "update_task"])
def test_an_unknown_or_foreign_task_is_a_tool_error_and_stays_as_it_was(one, me, name):
    stranger = str(uuid.uuid4())
    theirs = add(one, stranger, title="Not yours")

    for task_id in (theirs, 10**9):
        arguments = {"task_id": task_id, **({"title": "Mine now"} if name == "update_task" else {})}
        is_error, text = call(one.url, one.token(me), name, arguments)
        assert (is_error, text.endswith("Task not found.")) == (True, True)

    task = rest_task(one, stranger, theirs).json()["data"]
    assert (task["title"], task["completed"]) == ("Not yours", False)


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("add_task", {"title": "Sneaky"}),
        ("list_tasks", {}),
        ("complete_task", {"task_id": None}),
        ("delete_task", {"task_id": None}),
        ("update_task", {"task_id": None, "title": "Sneaky"}),
    ],
)
def test_a_user_id_that_is_not_the_callers_is_refused_and_nothing_is_done(one, me, name, arguments):
    victim = str(uuid.uuid4())
    victim_task = add(one, victim, title="Victim's")
    if "task_id" in arguments:
        arguments = {**arguments, "task_id": victim_task}

    is_error, text = call(one.url, one.token(me), name, {**arguments, "user_id": victim})

    assert is_error is True
    assert "user_id must be your own id" in text
    assert [(t["title"], t["completed"]) for t in rest_tasks(one, victim)] == [("Victim's", False)]
    assert rest_tasks(one, me) == []


def test_the_callers_own_user_id_is_accepted_in_any_letter_case(one, me):
    is_error, result = call(
        one.url, one.token(me), "add_task", {"title": "Mine", "user_id": me.upper()}
    )

    assert is_error is False
    assert [t["id"] for t in rest_tasks(one, me)] == [result["task_id"]]


def post_mcp(server, headers: dict) -> requests.Response:
    url = f"{server.url}/mcp"
    return requests.post(url, json=INITIALIZE, headers={**ACCEPT, **headers}, timeout=10)


@pytest.mark.parametrize(
    ("authorization", "code", "reason"),
    [
        (None, "AUTH_REQUIRED", "missing_token"),
        ("Bearer not-a-jwt", "INVALID_TOKEN", "malformed"),
        ("expired", "INVALID_TOKEN", "expired"),
        ("bad_signature", "INVALID_TOKEN", "bad_signature"),
    ],
)
def test_mcp_without_a_valid_token_is_401_in_the_envelope(one, me, authorization, code, reason):
    if authorization == "expired":
        authorization = f"Bearer {one.token(me, ttl=-300)}"
    elif authorization == "bad_signature":
        forged = jwt.encode({"sub": me, "exp": 2**31}, "x" * 48, algorithm="HS256")
        authorization = f"Bearer {forged}"
    headers = {"Authorization": authorization} if authorization else {}

    response = post_mcp(one, headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert (body["success"], body["error"]["code"], body["error"]["details"]["reason"]) == (
        False,
        code,
        reason,
    )


def test_the_sdk_client_is_refused_without_a_token(one):
    async def tools(client):
        return await client.list_tools()

    with pytest.raises(ExceptionGroup) as refused:
        run_client(one.url, None, tools)

    assert refused.group_contains(MCPError, match="error response", depth=2)
    access = [json.loads(line) for line in one.log().splitlines() if line.startswith("{")]
    assert [(line["path"], line["status"], line.get("reason")) for line in access
            if line["logger"] == "todo.access"][-1] == ("/mcp", 401, "missing_token")  # fmt: skip


def test_mcp_answers_with_and_without_a_trailing_slash(one, me):
    for path in ("/mcp", "/mcp/"):
        response = requests.post(
            f"{one.url}{path}", json=INITIALIZE, headers={**ACCEPT, **one.headers(me)}, timeout=10
        )
        assert response.status_code == 200
        assert response.json()["result"]["serverInfo"]["name"] == "todo"


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
def test_mcp_has_no_stream_and_no_session_to_end(one, me, method):
    headers = {**ACCEPT, **one.headers(me), "Mcp-Session-Id": "abc"}

    response = requests.request(method, f"{one.url}/mcp", headers=headers, timeout=5)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in response.headers["Allow"]


def test_mcp_keeps_the_sdks_accept_header_rule(one, me):
    headers = {"Accept": "text/html", "Content-Type": "application/json", **one.headers(me)}

    response = requests.post(f"{one.url}/mcp", json=INITIALIZE, headers=headers, timeout=10)

    assert response.status_code == 406
    assert rest_tasks(one, me) == []


def test_no_token_reaches_the_logs(servers, me):
    one, two = servers
    token = one.token(me)
    call(one.url, token, "add_task", {"title": "Logged?"})

    assert token not in one.log() + two.log()
    assert token.split(".")[2] not in one.log() + two.log()


def test_concurrent_calls_by_many_users_each_act_as_their_own_user(servers):
    one, two = servers
    users = [str(uuid.uuid4()) for _ in range(8)]

    def add_as(index: int):
        server = servers[index % 2]
        return call(server.url, server.token(users[index]), "add_task", {"title": f"t{index}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(add_as, range(8)))

    assert [is_error for is_error, _ in results] == [False] * 8
    for index, user_id in enumerate(users):
        assert [t["title"] for t in rest_tasks(one, user_id)] == [f"t{index}"]
