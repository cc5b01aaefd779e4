"""Cross-cutting endpoints: health checks, the API's 404 catch-all and its last-resort handlers."""

from django.db import connection
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .db import with_reconnect
from .errors import ServiceUnavailable, error_body


class PublicAPIView(APIView):
    """No authentication, no permission check, no throttling."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class HealthView(PublicAPIView):
    """Liveness: the process answers; touches no database."""

    def get(self, request):
        response = Response({"status": "ok"})
        response.envelope_message = "Service is alive"
        return response


def _ping() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


class ReadinessView(PublicAPIView):
    """Readiness: the database answers a trivial query (on a new connection if the old died)."""

    def get(self, request):
        try:
            with_reconnect(_ping)
        except Exception as exc:  # any failure to reach the database means "not ready"
            raise ServiceUnavailable("The database is not reachable.") from exc
        response = Response({"status": "ready", "database": "ok"})
        response.envelope_message = "Service is ready"
        return response


class ApiNotFoundView(PublicAPIView):
    """Any unknown path under /api/: a 404 in the envelope, whatever the method."""

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound("No API endpoint matches this path.")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def server_error(request):
    """500 outside DRF's reach: JSON envelope under /api/, Django's page elsewhere."""
    if _is_api(request):
        body = error_body("INTERNAL_ERROR", "An unexpected error occurred.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def bad_request(request, exception):
    """400 from Django itself (for example a disallowed Host header)."""
    if _is_api(request):
        return JsonResponse(error_body("MALFORMED_REQUEST", "Bad request."), status=400)
    return defaults.bad_request(request, exception)


def error_page_body(status: int) -> dict:
    """The envelope that replaces an HTML error page Django rendered for an /api/ request."""
    if status >= 500:
        return error_body("INTERNAL_ERROR", "An unexpected error occurred.")
    if status == 404:
        return error_body("NOT_FOUND", "No API endpoint matches this path.")
    if status == 403:
        return error_body("FORBIDDEN", "Forbidden.")
    return error_body("MALFORMED_REQUEST", "Bad request.")
