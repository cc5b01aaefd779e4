"""Middleware, one job each: request id and access log; JSON for Django's error pages in the
API; dropping database connections that died while idle; CORS; the site's own (auth, messages)
skipped for the API."""

import logging
import re
import time
import uuid

import orjson
from corsheaders.middleware import CorsMiddleware as BaseCorsMiddleware
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages

from .db import close_if_hung_up
from .errors import code_for_status, error_body, is_api_path
from .logging import request_id_var

access_log = logging.getLogger("todo.access")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class RequestIDMiddleware:
    """Echo a sane client `X-Request-ID` (else mint one) and log the request once it is done.

    Outermost, so every response carries the id and every log line of the request too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = supplied if _SANE_REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request, response, started: float) -> None:
        # The path only: query strings may carry things that must not be logged.
        user = getattr(request, "api_user_id", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "user_id": str(user) if user else None,
        }
        if reason := getattr(response, "auth_reason", None):  # a 401's `details.reason`
            fields["reason"] = reason
        access_log.info("request", extra=fields)


class ErrorPageEnvelopeMiddleware:
    """An HTML error page Django rendered for an API request becomes the error envelope.

    Errors outside DRF's exception handler (a failure while rendering, in a middleware, a
    disallowed Host) get Django's own page, and with DEBUG on that page shows the traceback,
    SQL and settings. The status and the other headers (CORS among them) are kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            response.content = orjson.dumps(error_body(code_for_status(response.status_code)))
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):  # set by CommonMiddleware for the page
                response["Content-Length"] = str(len(response.content))
        return response


class StaleConnectionMiddleware:
    """Before each request, drop a persistent connection the database has closed meanwhile.

    `api.db.with_reconnect` heals only the statements it wraps (the authenticated user
    lookup); this covers every other first query too (signup, signin, refresh, readiness, the
    admin), so after an outage or a database restart no request fails on a connection that
    died idle.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        close_if_hung_up()
        return self.get_response(request)


_MCP_PATH = re.compile(r"/mcp/?")


class CorsMiddleware(BaseCorsMiddleware):
    """django-cors-headers (CORS_* settings), and on /mcp preflights the MCP transport's own
    request headers too (CORS_MCP_ALLOW_HEADERS): the contract allows those there only."""

    def add_response_headers(self, request, response):
        response = super().add_response_headers(request, response)
        if (
            request.method == "OPTIONS"
            and _MCP_PATH.fullmatch(request.path)
            and response.has_header("Access-Control-Allow-Headers")
        ):
            extra = ", ".join(settings.CORS_MCP_ALLOW_HEADERS)
            response["Access-Control-Allow-Headers"] += f", {extra}"
        return response


# --- what only the site (admin, its sign-in) needs, skipped for the API ------------------------
# The API authenticates by bearer token only: no `request.user` from the session before DRF
# sets it, no messages. Each class below is Django's own, doing nothing for API paths
# (about 0.1 M instructions a request, 1-3 %, bench/RESULTS.md) and all of it elsewhere.
# Subclasses, so Django's admin checks (admin.E408-E410) still see them in MIDDLEWARE.


class _SiteOnly:
    def __call__(self, request):
        if is_api_path(request.path_info):
            return self.get_response(request)
        return super().__call__(request)


class AuthenticationMiddleware(_SiteOnly, auth.AuthenticationMiddleware):
    """`request.user` from the session, for every path but the API's (DRF sets it there)."""


class MessageMiddleware(_SiteOnly, messages.MessageMiddleware):
    """django.contrib.messages, for every path but the API's."""
