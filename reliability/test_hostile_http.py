"""Hostile input over real HTTP (gunicorn in front of the app), where the HTTP layer matters.

The in-process suites (tasks/tests/test_hostile_*.py) cover the application's answers in
detail; here the same kinds of request go over a socket: the server answers, stores nothing,
and keeps serving.
"""

import json
import socket

import pytest
import requests

from tasks.factories import TaskFactory
from testing.snapshot import stored

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed_before(owner):
    TaskFactory(user=owner, title="Original")
    return stored()


def _raw(server, request: bytes) -> bytes:
    """Send bytes as they are (no client library tidies them up); the whole answer."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _still_serving(server, owner) -> bool:
    response = requests.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk), timeout=5)
    return response.status_code == 200


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "TRACE"])
def test_an_unknown_method_is_405_in_the_envelope(server, owner, committed_before, method):
    response = requests.request(
        method, f"{server.url}/api/tasks", headers=server.headers(owner.pk), timeout=5
    )

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert response.headers["Content-Type"] == "application/json"
    assert stored() == committed_before


@pytest.mark.parametrize(
    "body",
    [json.dumps({"title": "x" * (1536 * 1024)}).encode(), b"[" * (1536 * 1024)],
    ids=["valid", "malformed"],
)
def test_a_1_5_mb_body_is_413_and_the_server_keeps_serving(server, owner, committed_before, body):
    response = requests.post(
        f"{server.url}/api/tasks",
        data=body,
        headers={**server.headers(owner.pk), "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert stored() == committed_before
    assert _still_serving(server, owner)


def test_10000_levels_of_nesting_is_400(server, owner, committed_before):
    response = requests.post(
        f"{server.url}/api/tasks",
        data="[" * 10_000 + "]" * 10_000,
        headers={**server.headers(owner.pk), "Content-Type": "application/json"},
        timeout=10,
    )

    assert (response.status_code, response.json()["error"]["code"]) == (400, "MALFORMED_REQUEST")
    assert stored() == committed_before


@pytest.mark.parametrize(
    "header",
    [
        b"X-Request-ID: abc\rSet-Cookie: evil=1",  # a bare CR inside a value
        b"X-Request-ID: abc\x00",
        b"Authorization: Bearer x\r\n y",  # obsolete line folding
        b"X Evil: 1",
    ],
    ids=["bare-cr", "nul", "line-folding", "bad-name"],
)
def test_a_malformed_header_is_refused_and_the_server_keeps_serving(
    server, owner, committed_before, header
):
    request = (
        b"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + header
        + b"\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
        + b"Connection: close\r\n\r\n"
        + b'{"title": "x"}\n'
    )

    answer = _raw(server, request)

    assert answer.startswith(b"HTTP/1.1 400 ")  # gunicorn's own answer, before the app
    assert b"Set-Cookie" not in answer
    assert stored() == committed_before
    assert _still_serving(server, owner)


def test_a_crlf_injected_request_id_is_not_echoed(server, owner):
    request = (
        b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Request-ID: abc\r\nSet-Cookie: evil=1\r\nConnection: close\r\n\r\n"
    )

    answer = _raw(server, request)

    status, *headers = answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert status.startswith(b"HTTP/1.1 200 ")
    assert b"X-Request-ID: abc" in headers  # the CRLF ended the value: the id was only "abc"
    assert not any(header.lower().startswith(b"set-cookie") for header in headers)
