"""Graceful shutdown of the Procfile's server: SIGTERM (what a platform sends on deploy or scale
down) lets a request in flight finish and commit, refuses new connections, and the process exits
without waiting for idle keep-alive clients."""

import os
import signal
import socket
import time

import pytest

from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def test_sigterm_finishes_the_request_in_flight_then_exits(start_server, owner):
    server = start_server()
    host, port = server.url.removeprefix("http://").split(":")
    idle = socket.create_connection((host, int(port)), timeout=5)  # an idle keep-alive client
    body = b'{"title": "written during shutdown"}'
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {server.token(owner.pk)}\r\n".encode()
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[:10]  # the request has started: the rest of its body comes after SIGTERM
        )
        time.sleep(0.5)
        os.killpg(server.process.pid, signal.SIGTERM)
        time.sleep(0.5)
        sock.sendall(body[10:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 201 ")
    assert list(Task.objects.filter(user=owner).values_list("title", flat=True)) == [
        "written during shutdown"
    ]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=2).close()
    server.process.wait(timeout=10)  # the idle client does not hold it up
    assert server.process.returncode == 0
    idle.close()
