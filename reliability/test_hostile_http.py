"""Hostile input over real HTTP (the Procfile's server in front of the app), where the HTTP layer
matters.

The in-process suites (tasks/tests/test_hostile_*.py) cover the application's answers in
detail; here the same kinds of request go over a socket: the server answers, stores nothing,
and keeps serving.
"""

import http.client
import json
import socket
import time

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

    assert answer.startswith(b"HTTP/1.1 400 ")  # the server's own answer, before the app
    assert b"Set-Cookie" not in answer
    assert stored() == committed_before
    assert _still_serving(server, owner)


def test_a_crlf_injected_request_id_is_not_echoed(server, owner):
    request = (
        b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Request-ID: abc\r\nSet-Cookie: evil=1\r\nConnection: close\r\n\r\n"
    )

    answer = _raw(server, request)

    status, *lines = answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    # Header names are case-insensitive (RFC 9110 5.1): compare them lowercased.
    headers = [tuple(part.strip() for part in line.split(b":", 1)) for line in lines]
    headers = [(name.lower(), value) for name, value in headers]
    assert status.startswith(b"HTTP/1.1 200 ")
    assert (b"x-request-id", b"abc") in headers  # the CRLF ended the value: the id was only "abc"
    assert b"set-cookie" not in {name for name, _ in headers}


def test_a_client_that_never_finishes_its_headers_is_cut_off(server, owner):
    # Slowloris: a few header bytes now and then. The server closes the connection once its
    # header read timeout (the Procfile's 5 s) has passed, and serves others meanwhile.
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        closed_after = None
        while time.monotonic() - started < 12:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                if sock.recv(65536, socket.MSG_DONTWAIT) == b"":
                    closed_after = time.monotonic() - started
                    break
            except BlockingIOError:
                pass
            except OSError:  # reset or broken pipe: closed by the server
                closed_after = time.monotonic() - started
                break
            assert _still_serving(server, owner)
            time.sleep(0.5)

    assert closed_after is not None and 4 <= closed_after < 10


def test_a_keep_alive_connection_serves_request_after_request(server, owner):
    # No `Connection: close` per answer (the sync worker's long tail, issue 14): one socket.
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    statuses, sockets = [], set()
    for _ in range(5):
        connection.request("GET", "/api/tasks", headers=server.headers(owner.pk))
        answer = connection.getresponse()
        answer.read()
        statuses.append(answer.status)
        sockets.add(connection.sock.getsockname())  # None once the server closed it
    connection.close()

    assert statuses == [200] * 5
    assert len(sockets) == 1


def test_a_body_the_answer_did_not_need_leaves_the_connection_usable(server, owner):
    # A 401 needs no body; it arrives after the answer. Unread, the server would close the
    # keep-alive connection silently and the client's next request would meet a reset.
    host, port = server.url.removeprefix("http://").split(":")
    body = b'{"title": "never stored"}'
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        time.sleep(0.3)
        sock.sendall(body)
        first = sock.recv(65536)
        time.sleep(0.3)
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        second = b""
        while chunk := sock.recv(65536):
            second += chunk

    assert first.startswith(b"HTTP/1.1 401 ")
    assert second.startswith(b"HTTP/1.1 200 ")
