"""api/wsgi.py: the WSGI callable reads an unread request body to its end, up to the limit."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler

from api.wsgi import drain_request_body

pytestmark = pytest.mark.django_db


def _environ(body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/tasks",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }


def _call(app, environ) -> list:
    statuses = []
    b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    return statuses


def test_a_body_the_answer_did_not_need_is_read_to_its_end():
    environ = _environ(b'{"title": "unauthenticated"}')

    statuses = _call(drain_request_body(WSGIHandler(), limit=1024), environ)

    assert statuses == ["401 Unauthorized"]
    assert environ["wsgi.input"].read() == b""


def test_a_body_over_the_limit_is_left_alone():
    body = b'{"title": "' + b"x" * 2000 + b'"}'
    environ = _environ(body)

    statuses = _call(drain_request_body(WSGIHandler(), limit=1024), environ)

    assert statuses == ["401 Unauthorized"]
    assert len(environ["wsgi.input"].read()) == len(body)
