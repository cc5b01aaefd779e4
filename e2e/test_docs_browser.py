"""/api/docs renders in a browser with nothing fetched from anywhere but the server itself."""

import json
import urllib.request
from urllib.parse import urlsplit


def test_swagger_ui_renders_every_operation_without_leaving_the_origin(page, e2e_server):
    foreign: list[str] = []

    def only_our_origin(route):
        url = route.request.url
        if urlsplit(url).netloc == e2e_server.netloc:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    page.route("**/*", only_our_origin)
    with urllib.request.urlopen(f"{e2e_server.base_url}/api/schema") as response:
        schema = json.load(response)
    operations = sum(len(methods) for methods in schema["paths"].values())

    page.goto(f"{e2e_server.base_url}/api/docs")
    page.wait_for_function(
        f"document.querySelectorAll('.opblock').length === {operations}", timeout=20_000
    )

    assert foreign == []
    assert "Todo API" in page.inner_text(".info .title")
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/tasks", "/api/{user_id}/tasks/{task_id}/complete", "/api/auth/signin"} <= {
        p.replace("\u200b", "") for p in paths
    }
    assert page.locator(".auth-wrapper .authorize").count() == 1  # the bearer scheme
