"""Log records: every line carries the current request id, and never a request's query string."""

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIDFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestWithoutQueryFilter(logging.Filter):
    """Django logs a failed request with the request itself, shown with its query string.

    A query string can carry a token (refused, but sent anyway by a careless client) or other
    secrets: keep the method and the path only, as the access log does.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            record.request = f"{request.method} {request.path}"
        return True
