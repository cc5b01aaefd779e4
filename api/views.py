"""Cross-cutting endpoints: health checks, the API's 404 catch-all, its last-resort handlers."""

from django.db import connection
from django.views import defaults
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .db import with_reconnect
from .errors import EndpointNotFound, ServiceUnavailable, error_response, is_api_path


class PublicAPIView(APIView):
    """No authentication, no permission check, no throttling."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class HealthView(PublicAPIView):
    """Liveness: the process answers; touches no database."""

    messages = {"get": "Service is alive"}
    needs_database = False  # api.openapi: no 503 for this one

    @extend_schema(
        operation_id="health",
        summary="Liveness",
        description="The process answers; touches no database.",
        responses=inline_serializer("HealthStatus", {"status": serializers.CharField()}),
        examples=[OpenApiExample("Alive", value={"status": "ok"})],
    )
    def get(self, request):
        return Response({"status": "ok"})


def _ping() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


class ReadinessView(PublicAPIView):
    """Readiness: the database answers a trivial query (on a new connection if the old died)."""

    messages = {"get": "Service is ready"}

    @extend_schema(
        operation_id="health_ready",
        summary="Readiness",
        description="200 when the database answers, else 503 SERVICE_UNAVAILABLE.",
        responses=inline_serializer(
            "ReadinessStatus",
            {"status": serializers.CharField(), "database": serializers.CharField()},
        ),
        examples=[OpenApiExample("Ready", value={"status": "ready", "database": "ok"})],
    )
    def get(self, request):
        try:
            with_reconnect(_ping)
        except Exception as exc:  # any failure to reach the database means "not ready"
            raise ServiceUnavailable("The database is not reachable.") from exc
        return Response({"status": "ready", "database": "ok"})


class ApiNotFoundView(PublicAPIView):
    """Any unknown path under /api (the bare prefix too): a 404 in the envelope, any method."""

    def initial(self, request, *args, **kwargs):
        raise EndpointNotFound()


class IndexView(PublicAPIView):
    """GET /: where things are, for whoever opens the server's address (not part of the API)."""

    messages = {"get": "Todo API"}

    @extend_schema(exclude=True)
    def get(self, request):
        links = {
            "docs": "/api/docs",
            "schema": "/api/schema",
            "health": "/api/health",
            "admin": "/admin/",
        }
        return Response({name: request.build_absolute_uri(url) for name, url in links.items()})


def server_error(request):
    """500 outside DRF's reach: the envelope under /api, Django's page elsewhere."""
    if is_api_path(request.path):
        return error_response("INTERNAL_ERROR")
    return defaults.server_error(request)


def bad_request(request, exception):
    """400 from Django itself (for example a disallowed Host header)."""
    if is_api_path(request.path):
        return error_response("MALFORMED_REQUEST")
    return defaults.bad_request(request, exception)
