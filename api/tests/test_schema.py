"""The OpenAPI schema: valid, warning-free, both mounts, and true to what the API really sends."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from accounts.factories import UserFactory
from api.errors import AUTH_REASONS
from tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db

TASK_OPERATIONS = {
    ("get", ""): "tasks_list",
    ("post", ""): "tasks_create",
    ("get", "/{task_id}"): "tasks_retrieve",
    ("put", "/{task_id}"): "tasks_update",
    ("patch", "/{task_id}"): "tasks_partial_update",
    ("delete", "/{task_id}"): "tasks_destroy",
    ("patch", "/{task_id}/complete"): "tasks_complete",
}


@pytest.fixture(scope="module")
def spec() -> dict:
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it (fresh process)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "todo_project.test_settings"}
    done = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # --fail-on-warn: any warning or error fails
    return json.loads(done.stdout)


def operation(spec: dict, method: str, path: str) -> dict:
    return spec["paths"][path][method]


def response_validator(spec: dict, op: dict, status: int) -> OAS30Validator:
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    return OAS30Validator({**schema, "components": spec["components"]})


def test_schema_is_valid_openapi_3(spec):
    validate(spec)

    assert spec["openapi"].startswith("3.0")
    assert spec["info"]["title"] == "Todo API"


def test_schema_documents_both_task_mounts_with_every_operation(spec):
    for (method, suffix), operation_id in TASK_OPERATIONS.items():
        own = operation(spec, method, f"/api/tasks{suffix}")
        mounted = operation(spec, method, f"/api/{{user_id}}/tasks{suffix}")
        assert own["operationId"] == operation_id
        assert mounted["operationId"] == f"user_{operation_id}"
        assert own["security"] == [{"bearerAuth": []}]
        user_id = next(p for p in mounted["parameters"] if p["name"] == "user_id")
        assert user_id["schema"] == {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f/]+$",
        }
        assert "403" in mounted["responses"]
        assert "403" not in own["responses"]


def test_schema_documents_the_auth_and_health_endpoints(spec):
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}

    assert {"auth_signup", "auth_signin", "auth_refresh", "auth_signout", "auth_me"} <= operations
    assert {"health", "health_ready"} <= operations
    assert operation(spec, "post", "/api/auth/signin")["security"] == [{}]  # public
    assert operation(spec, "get", "/api/auth/me")["security"] == [{"bearerAuth": []}]


def test_schema_bearer_security_scheme(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_schema_wraps_success_bodies_in_the_envelope(spec):
    schemas = spec["components"]["schemas"]
    create = operation(spec, "post", "/api/tasks")["responses"]["201"]

    assert create["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskResponse"
    }
    assert schemas["TaskResponse"]["required"] == ["success", "data", "message"]
    assert schemas["TaskResponse"]["properties"]["data"] == {"$ref": "#/components/schemas/Task"}
    assert schemas["TaskListResponse"]["required"] == ["success", "data", "message", "meta"]
    assert create["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}


def test_schema_lists_error_codes_per_operation(spec):
    retrieve = operation(spec, "get", "/api/tasks/{task_id}")["responses"]
    signin = operation(spec, "post", "/api/auth/signin")["responses"]
    signup = operation(spec, "post", "/api/auth/signup")["responses"]

    examples = retrieve["401"]["content"]["application/json"]["examples"]
    assert set(examples) == {"AUTH_REQUIRED", "INVALID_TOKEN", "ACCOUNT_DISABLED"}
    assert "WWW-Authenticate" in retrieve["401"]["headers"]
    assert "RESOURCE_NOT_FOUND" in retrieve["404"]["content"]["application/json"]["examples"]
    assert {"422", "500", "503"} <= set(retrieve)
    assert "INVALID_CREDENTIALS" in signin["401"]["content"]["application/json"]["examples"]
    assert "Retry-After" in signin["429"]["headers"]
    assert "CONFLICT" in signup["409"]["content"]["application/json"]["examples"]
    assert set(operation(spec, "get", "/api/health")["responses"]) == {"200", "500"}


def test_schema_401s_say_why_with_the_reason_vocabulary(spec):
    schemas = spec["components"]["schemas"]
    retrieve = operation(spec, "get", "/api/tasks/{task_id}")["responses"]["401"]
    examples = retrieve["content"]["application/json"]["examples"]

    assert schemas["AuthReason"]["enum"] == list(AUTH_REASONS)
    assert schemas["AuthError"]["properties"]["details"] == {
        "type": "object",
        "properties": {"reason": {"$ref": "#/components/schemas/AuthReason"}},
        "required": ["reason"],
    }
    assert retrieve["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AuthErrorResponse"
    }
    assert examples["AUTH_REQUIRED"]["value"]["error"]["details"] == {"reason": "missing_token"}
    assert examples["INVALID_TOKEN"]["value"]["error"]["details"] == {"reason": "malformed"}
    task = schemas["Task"]["properties"]["user_id"]
    assert (task["type"], task["maxLength"], task["readOnly"]) == ("string", 255, True)
    assert schemas["User"]["properties"]["id"]["maxLength"] == 255


def test_schema_error_examples_match_the_error_envelope(spec):
    for path in spec["paths"].values():
        for op in path.values():
            for status, response in op["responses"].items():
                if status < "400":
                    continue
                validator = response_validator(spec, op, int(status))
                for example in response["content"]["application/json"]["examples"].values():
                    validator.validate(example["value"])
                    assert example["value"]["error"]["code"] in example["summary"]


def test_schema_success_examples_match_their_schema(spec):
    for path in spec["paths"].values():
        for op in path.values():
            for status, response in op["responses"].items():
                if status >= "300" or "content" not in response:
                    continue
                validator = response_validator(spec, op, int(status))
                for example in response["content"]["application/json"].get("examples", {}).values():
                    validator.validate(example["value"])


def test_schema_pagination_parameters(spec):
    params = {p["name"]: p for p in operation(spec, "get", "/api/tasks")["parameters"]}

    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100,
    }
    assert params["offset"]["schema"]["minimum"] == 0


def test_real_responses_match_the_schema(spec, client_for, api_client):
    user = UserFactory()
    TaskFactory(user=user, description=None)
    client = client_for(user)
    checks = [
        ("get", "/api/tasks", client.get("/api/tasks"), 200),
        ("post", "/api/tasks", client.post("/api/tasks", {"title": "x"}, format="json"), 201),
        ("post", "/api/tasks", client.post("/api/tasks", {"title": ""}, format="json"), 422),
        ("get", "/api/tasks", api_client.get("/api/tasks"), 401),
        ("get", "/api/tasks/{task_id}", client.get("/api/tasks/999999"), 404),
        ("get", "/api/tasks", client.get("/api/tasks?limit=0"), 422),
        ("get", "/api/{user_id}/tasks", client.get(f"/api/{UserFactory().pk}/tasks"), 403),
        ("get", "/api/auth/me", client.get("/api/auth/me"), 200),
        ("get", "/api/health", api_client.get("/api/health"), 200),
    ]
    for method, path, response, status in checks:
        assert response.status_code == status, (method, path, response.content)
        response_validator(spec, operation(spec, method, path), status).validate(response.json())


def test_schema_endpoint_serves_json_by_default_and_yaml_on_request(api_client, spec):
    as_json = api_client.get("/api/schema")
    by_query = api_client.get("/api/schema?format=yaml")
    by_accept = api_client.get("/api/schema/", HTTP_ACCEPT="application/yaml")
    oai_json = api_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/json")
    assert as_json.json()["paths"].keys() == spec["paths"].keys()
    assert by_query["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(by_query.content)["paths"].keys() == spec["paths"].keys()
    assert by_accept["Content-Type"].startswith("application/yaml")
    assert oai_json["Content-Type"].startswith("application/vnd.oai.openapi+json")


def test_schema_endpoint_ignores_a_bad_token(api_client):
    response = api_client.get("/api/schema", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


def test_docs_page_loads_swagger_ui_from_our_own_static_files(api_client):
    response = api_client.get("/api/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png" in html
    assert "cdn." not in html
    assert "validatorUrl" in html
