"""CORS: only the configured origins get CORS headers; preflight allows what the frontend sends."""

import pytest

pytestmark = pytest.mark.django_db

ALLOWED = "https://app.example.com"
OTHER = "https://evil.example.com"


@pytest.fixture(autouse=True)
def _origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED, "http://localhost:3000"]


def _preflight(api_client, origin: str, method: str, path: str = "/api/tasks"):
    return api_client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def _csv(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/tasks", "/api/tasks/1", "/api/tasks/1/complete"])
def test_a_preflight_from_an_allowed_origin_allows_the_api(api_client, method, path):
    response = _preflight(api_client, ALLOWED, method, path)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert {"authorization", "content-type"} <= _csv(response["Access-Control-Allow-Headers"])
    assert {"get", "post", "put", "patch", "delete"} <= _csv(
        response["Access-Control-Allow-Methods"]
    )


def test_a_preflight_from_another_origin_gets_no_cors_headers(api_client):
    response = _preflight(api_client, OTHER, "DELETE")

    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_an_allowed_origin_gets_cors_headers_on_responses(auth_client):
    response = auth_client.post(
        "/api/tasks", {"title": "x"}, format="json", HTTP_ORIGIN="http://localhost:3000"
    )

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    # The frontend can read the new task's URL and the request id.
    assert {"location", "x-request-id"} <= _csv(response["Access-Control-Expose-Headers"])


def test_an_allowed_origin_can_read_error_responses(api_client):
    response = api_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_another_origin_gets_no_cors_headers_on_responses(auth_client):
    response = auth_client.get("/api/tasks", HTTP_ORIGIN=OTHER)

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_cors_applies_only_to_the_api(api_client):
    response = api_client.get("/admin/", HTTP_ORIGIN=ALLOWED)

    assert "Access-Control-Allow-Origin" not in response


API_HEADERS = {
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
}
MCP_HEADERS = {"mcp-session-id", "mcp-protocol-version", "last-event-id"}
EXPOSED = {
    "etag",
    "location",
    "retry-after",
    "x-request-id",
    "idempotent-replayed",
    "mcp-session-id",
}


def _preflight_asking(api_client, path: str, method: str, headers: set[str]):
    return api_client.options(
        path,
        HTTP_ORIGIN=ALLOWED,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(sorted(headers)),
    )


@pytest.mark.parametrize(
    "path", ["/api/tasks", "/api/tasks/1/complete", "/api/u1/tasks/1", "/api/tags"]
)
def test_a_preflight_allows_the_contracts_headers_and_methods_on_the_api(api_client, path):
    response = _preflight_asking(api_client, path, "PATCH", API_HEADERS)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert _csv(response["Access-Control-Allow-Headers"]) == API_HEADERS
    assert _csv(response["Access-Control-Allow-Methods"]) == {
        "get", "post", "put", "patch", "delete", "options"
    }  # fmt: skip
    assert response["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
def test_a_preflight_on_mcp_also_allows_the_mcp_transports_headers(api_client, path):
    response = _preflight_asking(api_client, path, "POST", API_HEADERS | MCP_HEADERS)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert _csv(response["Access-Control-Allow-Headers"]) == API_HEADERS | MCP_HEADERS


def test_a_preflight_from_another_origin_on_mcp_gets_no_cors_headers(api_client):
    response = api_client.options(
        "/mcp", HTTP_ORIGIN=OTHER, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


@pytest.mark.parametrize("path", ["/mcpx", "/mcp/extra", "/admin/", "/static/x.css"])
def test_cors_covers_the_api_and_mcp_only(api_client, path):
    response = _preflight_asking(api_client, path, "POST", API_HEADERS)

    assert "Access-Control-Allow-Origin" not in response


def test_responses_expose_the_contracts_headers(auth_client):
    response = auth_client.post(
        "/api/tasks",
        {"title": "x"},
        format="json",
        HTTP_ORIGIN=ALLOWED,
        HTTP_IDEMPOTENCY_KEY="cors-1",
    )
    replay = auth_client.post(
        "/api/tasks",
        {"title": "x"},
        format="json",
        HTTP_ORIGIN=ALLOWED,
        HTTP_IDEMPOTENCY_KEY="cors-1",
    )

    assert response.status_code == replay.status_code == 201
    for answer in (response, replay):
        assert answer["Access-Control-Allow-Origin"] == ALLOWED
        assert _csv(answer["Access-Control-Expose-Headers"]) == EXPOSED
    assert replay["Idempotent-Replayed"] == "true"
