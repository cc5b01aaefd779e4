"""Log records: every line carries the current request id, and never a request's query string."""

import contextvars
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIDFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_QUERY_STRING = re.compile(r"\?[^\s\"']*")


class RequestWithoutQueryFilter(logging.Filter):
    """No query string in a log line: it can carry a token (refused, but sent anyway by a
    careless client) or other secrets. The method and the path stay, as in the access log.

    Django logs a failed request with the request itself (`django.request`), and the
    development server (`runserver`, `django.server`) logs failed requests by their raw
    request line, `"GET /api/tasks?token=... HTTP/1.1" 401`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            record.request = f"{request.method} {request.path}"
        elif record.name == "django.server":  # `request` is the client's socket here
            record.msg, record.args = _QUERY_STRING.sub("", record.getMessage()), ()
            del record.request
        return True
