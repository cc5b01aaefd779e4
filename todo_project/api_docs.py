"""OpenAPI documentation of each endpoint (summaries, bodies, headers, examples); the schema view.

Kept out of the views (which stay thin) as drf-spectacular view extensions: each one names a
view and returns it decorated with `extend_schema`. The envelope and the error responses are
added to every operation by api.openapi.schema.AutoSchema.
"""

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

TASK = {
    "id": 42,
    "user_id": "3f2b6c1e-8a4d-4c1b-9a57-0d6f2f1e9b10",
    "title": "Buy milk",
    "description": "2 litres, semi-skimmed",
    "completed": False,
    "created_at": "2025-01-31T09:15:00.123456Z",
    "updated_at": "2025-01-31T09:15:00.123456Z",
}


def _task_example(**changes) -> OpenApiExample:
    return OpenApiExample("A task", value={**TASK, **changes}, response_only=True)


def _request_example(name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description="Absolute URL of the new task.",
)


class TaskViewSetDocs(OpenApiViewExtension):
    """`/api/tasks...` and `/api/{user_id}/tasks...`."""

    target_class = "tasks.views.TaskViewSet"

    def view_replacement(self):
        from tasks.serializers import TaskCompleteSerializer, TaskSerializer

        @extend_schema_view(
            list=extend_schema(
                summary="List your tasks",
                description="Newest first (`-created_at`, then `-id`), paginated.",
                examples=[_task_example()],
            ),
            create=extend_schema(
                summary="Create a task",
                parameters=[LOCATION],
                examples=[
                    _request_example(
                        "Title and description", {"title": "Buy milk", "description": "2 litres"}
                    ),
                    _task_example(),
                ],
            ),
            retrieve=extend_schema(summary="Get one task", examples=[_task_example()]),
            update=extend_schema(
                summary="Update a task (title required)",
                description="`title` is required; absent `description`/`completed` stay as is.",
                examples=[
                    _request_example("New title", {"title": "Buy oat milk"}),
                    _task_example(title="Buy oat milk"),
                ],
            ),
            partial_update=extend_schema(
                summary="Change some fields of a task",
                examples=[
                    _request_example("Mark done", {"completed": True}),
                    _task_example(completed=True),
                ],
            ),
            destroy=extend_schema(summary="Delete a task"),
            complete=extend_schema(
                summary="Toggle or set a task's completion",
                description='No body toggles `completed`; `{"completed": true|false}` sets it.',
                request=TaskCompleteSerializer,
                responses=TaskSerializer,
                examples=[
                    _request_example("Set", {"completed": True}),
                    _task_example(completed=True),
                ],
            ),
        )
        class Documented(self.target_class):
            pass

        return Documented


USER = {
    "id": TASK["user_id"],
    "email": "alice@example.com",
    "name": "Alice",
    "created_at": "2025-01-30T18:00:00.000000Z",
}
BUNDLE = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2ln",
    "token_type": "Bearer",
    "expires_in": 3600,
    "user": USER,
}
CREDENTIALS = {"email": "alice@example.com", "password": "correct horse battery staple"}
REFRESH = {"refresh_token": BUNDLE["refresh_token"]}


def _view_docs(view_path: str, method: str, **schema) -> type[OpenApiViewExtension]:
    """A view extension documenting one method of a plain APIView."""

    def view_replacement(self):
        @extend_schema_view(**{method: extend_schema(**schema)})
        class Documented(self.target_class):
            pass

        return Documented

    name = view_path.rsplit(".", 1)[-1] + "Docs"
    attrs = {"target_class": view_path, "view_replacement": view_replacement}
    return type(name, (OpenApiViewExtension,), attrs)


_view_docs(
    "api.views.HealthView",
    "get",
    operation_id="health",
    summary="Liveness",
    description="The process answers; touches no database.",
    tags=["health"],
    responses=inline_serializer("HealthStatus", {"status": serializers.CharField()}),
    examples=[OpenApiExample("Alive", value={"status": "ok"})],
)
_view_docs(
    "api.views.ReadinessView",
    "get",
    operation_id="health_ready",
    summary="Readiness",
    description="200 when the database answers, else 503 SERVICE_UNAVAILABLE.",
    tags=["health"],
    responses=inline_serializer(
        "ReadinessStatus",
        {"status": serializers.CharField(), "database": serializers.CharField()},
    ),
    examples=[OpenApiExample("Ready", value={"status": "ready", "database": "ok"})],
)


def _auth_docs(view_path: str, method: str = "post", **schema) -> None:
    _view_docs(view_path, method, tags=["auth"], **schema)


def _auth_operations() -> None:
    from accounts.serializers import (
        RefreshTokenSerializer,
        SignInSerializer,
        SignUpSerializer,
        TokenBundleSerializer,
        UserSerializer,
    )

    bundle = OpenApiExample("Tokens", value=BUNDLE, response_only=True)
    _auth_docs(
        "accounts.views.SignUpView",
        operation_id="auth_signup",
        summary="Create an account",
        request=SignUpSerializer,
        responses={201: TokenBundleSerializer},
        examples=[_request_example("Sign up", {**CREDENTIALS, "name": "Alice"}), bundle],
    )
    _auth_docs(
        "accounts.views.SignInView",
        operation_id="auth_signin",
        summary="Sign in with email and password",
        request=SignInSerializer,
        responses={200: TokenBundleSerializer},
        examples=[_request_example("Sign in", CREDENTIALS), bundle],
    )
    _auth_docs(
        "accounts.views.RefreshView",
        operation_id="auth_refresh",
        summary="Exchange a refresh token for new tokens (the old one stops working)",
        request=RefreshTokenSerializer,
        responses={200: TokenBundleSerializer},
        examples=[_request_example("Refresh", REFRESH), bundle],
    )
    _auth_docs(
        "accounts.views.SignOutView",
        operation_id="auth_signout",
        summary="Revoke a refresh token",
        request=RefreshTokenSerializer,
        responses={204: None},
        examples=[_request_example("Sign out", REFRESH)],
    )
    _auth_docs(
        "accounts.views.MeView",
        "get",
        operation_id="auth_me",
        summary="The signed-in user",
        responses={200: UserSerializer},
        examples=[OpenApiExample("Me", value=USER, response_only=True)],
    )


_auth_operations()


class SchemaView(SpectacularAPIView):
    """GET /api/schema: JSON unless YAML is asked for (`Accept` or `?format=yaml`)."""

    renderer_classes = [
        OpenApiJsonRenderer2,  # application/json: the default
        OpenApiJsonRenderer,  # application/vnd.oai.openapi+json
        OpenApiYamlRenderer2,  # application/yaml
        OpenApiYamlRenderer,  # application/vnd.oai.openapi
    ]
