"""Request id, access log (never a token or a body), JSON for Django's error pages in /api/."""

import logging
import re
import time
import uuid

import orjson

from .logging import request_id_var
from .views import error_page_body

access_log = logging.getLogger("todo.access")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class RequestIDMiddleware:
    """Echo a sane client `X-Request-ID` (else mint one) and log the request once it is done."""

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
            _envelope_error_page(request, response)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request, status: int, started: float) -> None:
        # The path only: query strings may carry things that must not be logged.
        user = getattr(request, "api_user_id", None)
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": str(user) if user else None,
            },
        )


def _envelope_error_page(request, response) -> None:
    """An HTML error page Django rendered for an /api/ request becomes the error envelope.

    Errors outside DRF's exception handler (a failure while rendering, in a middleware, a
    disallowed Host) get Django's own page, and with DEBUG on that page shows the traceback,
    SQL and settings. The status and the other headers (CORS among them) are kept.
    """
    if (
        response.status_code < 400
        or not request.path.startswith("/api/")
        or response.streaming
        or response.get("Content-Type", "").startswith("application/json")
    ):
        return
    response.content = orjson.dumps(error_page_body(response.status_code))
    response["Content-Type"] = "application/json"
    if response.has_header("Content-Length"):  # set by CommonMiddleware for the HTML page
        response["Content-Length"] = str(len(response.content))
