"""A page on an allowed origin uses the API with fetch and a Bearer token; others are blocked."""

from e2e.conftest import DEMO_PASSWORD

SESSION = "([api, email, password]) => window.todoSession(api, email, password)"


def run_session(page, origin: str, e2e_server):
    page.goto(f"{origin}/todo.html")
    return page.evaluate(SESSION, [e2e_server.base_url, "demo1@example.com", DEMO_PASSWORD])


def test_allowed_origin_signs_in_lists_creates_and_completes(page, e2e_server):
    result = run_session(page, e2e_server.allowed.origin, e2e_server)

    assert result["signinStatus"] == 200
    assert result["createdStatus"] == 201
    assert result["countAfter"] == result["countBefore"] + 1
    assert "Made in the browser" in result["listedTitles"]
    assert result["task"]["user_id"] == result["userId"]
    assert result["completed"]["completed"] is True
    # Exposed to the browser by CORS_EXPOSE_HEADERS.
    assert result["location"].endswith(f"/api/tasks/{result['task']['id']}")
    assert result["requestId"]
    [(completed,)] = e2e_server.db.query(
        "SELECT completed FROM tasks_task WHERE id = %s", (result["task"]["id"],)
    )
    assert bool(completed) is True


def test_other_origin_is_blocked_by_the_browser(page, e2e_server):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    [(before,)] = e2e_server.db.query("SELECT COUNT(*) FROM tasks_task")

    page.goto(f"{e2e_server.blocked.origin}/todo.html")
    error = page.evaluate(
        """async ([api, email, password]) => {
            try { await window.todoSession(api, email, password); return null; }
            catch (e) { return String(e); }
        }""",
        [e2e_server.base_url, "demo1@example.com", DEMO_PASSWORD],
    )

    assert error == "TypeError: Failed to fetch"
    assert any("blocked by CORS policy" in line for line in console)
    [(after,)] = e2e_server.db.query("SELECT COUNT(*) FROM tasks_task")
    assert after == before
