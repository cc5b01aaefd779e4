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
