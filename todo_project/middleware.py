"""Request id and access log: one structured line per request, never a token or a body."""

import logging
import re
import time
import uuid

from .logging import request_id_var

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
