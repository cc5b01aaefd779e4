"""A page on an allowed origin sends Idempotency-Key, If-Match, If-None-Match and X-Request-ID
through CORS and reads ETag, Location, Idempotent-Replayed and X-Request-ID; another origin
is refused before anything is stored."""

import json
import urllib.request

from e2e.conftest import DEMO_PASSWORD

SESSION = "([api, email, password, key]) => window.retrySession(api, email, password, key)"


def _python_replay(e2e_server, token: str, key: str) -> dict:
    """The same retry from outside a browser: the headers the server really sends."""
    body = f'{{"title":"Retried in the browser {key}"}}'.encode()
    request = urllib.request.Request(
        f"{e2e_server.base_url}/api/tasks",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def test_an_allowed_origin_retries_safely_and_reads_the_exposed_headers(page, e2e_server):
    page.goto(f"{e2e_server.allowed.origin}/retry.html")
    key = "browser-retry-1"

    result = page.evaluate(SESSION, [e2e_server.base_url, "demo2@example.com", DEMO_PASSWORD, key])

    first, retry = result["first"], result["retry"]
    assert (first["status"], retry["status"]) == (201, 201)
    assert (first["replayed"], retry["replayed"]) == (None, "true")
    assert result["sameBody"] is True
    assert first["location"] == retry["location"]
    assert first["location"].endswith(f"/api/tasks/{result['taskId']}")
    assert (first["requestId"], retry["requestId"]) == ("browser-create-1", "browser-create-2")
    # The browser reads ETag exactly as the server sends it (same replay, outside a browser).
    replayed = _python_replay(e2e_server, result["token"], key)
    assert retry["etag"] == replayed["etag"] == f'"{replayed["location"].rsplit("/", 1)[1]}-1"'
    completed, again = result["completed"], result["completedAgain"]
    assert (completed["status"], again["status"]) == (200, 200)
    assert (completed["replayed"], again["replayed"]) == (None, "true")
    assert result["sameCompleteBody"] is True
    assert completed["data"]["completed"] is True
    assert result["read"]["status"] == 200
    assert result["read"]["data"]["completed"] is True  # the retried toggle did not undo it
    rows = e2e_server.db.query(
        "SELECT completed FROM tasks_task WHERE title = %s", (f"Retried in the browser {key}",)
    )
    assert [bool(completed) for (completed,) in rows] == [True]
    kept = e2e_server.db.query(
        "SELECT key, status FROM api_idempotencykey WHERE key LIKE %s ORDER BY key", (f"{key}%",)
    )
    assert kept == [(key, 201), (f"{key}-complete", 200)]


def _token(e2e_server) -> str:
    request = urllib.request.Request(
        f"{e2e_server.base_url}/api/auth/signin",
        data=json.dumps({"email": "demo2@example.com", "password": DEMO_PASSWORD}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]["access_token"]


def test_another_origin_cannot_send_an_idempotency_key(page, e2e_server):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    token = _token(e2e_server)
    count = "SELECT COUNT(*) FROM tasks_task WHERE title = 'Blocked blocked-1'"

    page.goto(f"{e2e_server.blocked.origin}/retry.html")
    error = page.evaluate(
        """async ([api, token]) => {
            try { await window.keyedCreate(api, token, "blocked-1"); return null; }
            catch (e) { return String(e); }
        }""",
        [e2e_server.base_url, token],
    )

    assert error == "TypeError: Failed to fetch"
    assert any("blocked by CORS policy" in line for line in console)
    assert e2e_server.db.query(count) == [(0,)]
    assert e2e_server.db.query("SELECT key FROM api_idempotencykey WHERE key = 'blocked-1'") == []
    # The same call from the allowed origin goes through: only the origin was refused.
    page.goto(f"{e2e_server.allowed.origin}/retry.html")
    status = page.evaluate(
        "([api, token]) => window.keyedCreate(api, token, 'blocked-1')",
        [e2e_server.base_url, token],
    )
    assert status == 201
    assert e2e_server.db.query(count) == [(1,)]
