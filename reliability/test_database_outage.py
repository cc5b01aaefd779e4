"""The database goes away and comes back: 503s while it is gone, recovery without a restart.

A real server process (the Procfile's) reaches PostgreSQL through a TCP proxy that the test cuts
and restores (the shared PostgreSQL itself is never stopped). There is no per-request `SELECT 1`:
a kept-alive connection the database closed while idle is noticed before use and replaced
(api/db.py).
"""

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from accounts.factories import UserFactory
from tasks.factories import TaskFactory
from tasks.models import Task
from testing.live_server import LiveServer, database_url, free_port, live_server_process
from testing.snapshot import stored

from .proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = {
    "success": False,
    "error": {
        "code": "SERVICE_UNAVAILABLE",
        "message": "The service is temporarily unavailable; try again shortly.",
    },
}
NOT_READY = {
    "success": False,
    "error": {"code": "SERVICE_UNAVAILABLE", "message": "The database is not reachable."},
}
HEALTHY = {"success": True, "data": {"status": "ok"}, "message": "Service is alive"}
READY = {
    "success": True,
    "data": {"status": "ready", "database": "ok"},
    "message": "Service is ready",
}
# A database that is gone must be a 503 within a couple of seconds: a refused or dropped
# connection at once, one that does not answer after the connect timeout (DB_CONNECT_TIMEOUT, 2 s).
PROMPT = 3.0
CONNECT_TIMEOUT_PROMPT = 2 + 1.5
ME = "/api/auth/me"


def _calls(task_id: int) -> list[tuple[str, str, dict | None]]:
    """One request of every kind that needs the database."""
    return [
        ("GET", "/api/tasks", None),
        ("POST", "/api/tasks", {"title": "Written while the database is down"}),
        ("GET", f"/api/tasks/{task_id}", None),
        ("PUT", f"/api/tasks/{task_id}", {"title": "Changed"}),
        ("PATCH", f"/api/tasks/{task_id}", {"completed": True}),
        ("PATCH", f"/api/tasks/{task_id}/complete", None),
        ("DELETE", f"/api/tasks/{task_id}", None),
        ("GET", ME, None),
    ]


def _warm_every_thread(http, server, owner, threads: int) -> None:
    """Concurrent requests, so every server thread holds a persistent connection."""
    with ThreadPoolExecutor(threads * 2) as pool:
        statuses = list(
            pool.map(
                lambda _: http.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk)),
                range(threads * 4),
            )
        )
    assert {response.status_code for response in statuses} == {200}


@contextmanager
def _behind_proxy(threads: int) -> Iterator[tuple[LiveServer, TcpProxy]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    conf = connection.settings_dict
    proxy = TcpProxy((conf["HOST"] or "127.0.0.1", int(conf["PORT"] or 5432)))
    env = {"DATABASE_URL": database_url(port=proxy.port)}
    try:
        with live_server_process(env=env, threads=threads) as server:
            yield server, proxy
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def _proxied_4(django_db_setup):
    with _behind_proxy(threads=4) as pair:
        yield pair


@pytest.fixture(scope="module")
def _proxied_1(django_db_setup):
    with _behind_proxy(threads=1) as pair:
        yield pair


def _fresh(pair):
    server, proxy = pair
    assert server.alive, server.log()
    proxy.restore()
    seen = len(server.log())
    yield server, proxy
    proxy.restore()
    print(f"--- log of {server.url} during the test ---\n{server.log()[seen:]}")


@pytest.fixture
def proxied(_proxied_4, postgres_only, transactional_db):
    """(server, proxy): a server of 4 threads whose database connections go through the proxy."""
    yield from _fresh(_proxied_4)


@pytest.fixture
def proxied_one_thread(_proxied_1, postgres_only, transactional_db):
    """(server, proxy) as above, with a single thread: one persistent connection."""
    yield from _fresh(_proxied_1)


def test_with_the_database_cut_every_api_call_is_a_prompt_503(proxied, owner, http):
    server, db_proxy = proxied
    task = TaskFactory(user=owner)
    stranger = UserFactory()  # committed, but never seen by the server: not remembered
    _warm_every_thread(http, server, owner, threads=4)
    before = stored()
    db_proxy.cut()

    for method, path, body in _calls(task.pk):
        # `/api/auth/me` reads nothing but the user; the owner is remembered (user cache).
        sub = stranger.pk if path == ME else owner.pk
        started = time.monotonic()
        response = http.request(method, server.url + path, json=body, headers=server.headers(sub))

        assert time.monotonic() - started < PROMPT, (method, path)
        assert response.status_code == 503, (method, path, response.text)
        assert response.json() == UNAVAILABLE
        assert response.headers["Content-Type"] == "application/json"
    assert stored() == before


def test_with_the_database_cut_a_remembered_user_still_reads_its_profile(proxied, owner, http):
    # accounts.user_cache: the user a token named is remembered for AUTH_USER_CACHE_SECONDS
    # (5 s), so `/api/auth/me` needs no query then; once forgotten it is a 503 like the rest.
    server, db_proxy = proxied
    _warm_every_thread(http, server, owner, threads=4)
    db_proxy.cut()
    started = time.monotonic()

    response = http.get(server.url + ME, headers=server.headers(owner.pk))

    if time.monotonic() - started < 4:  # well within the 5 s (a loaded machine may be slower)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["id"] == owner.pk
    else:
        assert response.status_code == 503


def test_with_the_database_cut_liveness_is_200_and_readiness_503(proxied, owner, http):
    server, db_proxy = proxied
    _warm_every_thread(http, server, owner, threads=4)
    db_proxy.cut()

    for _ in range(4):
        live = http.get(f"{server.url}/api/health")
        started = time.monotonic()
        ready = http.get(f"{server.url}/api/health/ready")

        assert (live.status_code, live.json()) == (200, HEALTHY)
        assert (ready.status_code, ready.json()) == (503, NOT_READY)
        assert time.monotonic() - started < PROMPT


def test_a_database_that_does_not_answer_is_a_503_within_the_connect_timeout(proxied, owner, http):
    server, db_proxy = proxied
    _warm_every_thread(http, server, owner, threads=4)
    db_proxy.hang()  # connections are accepted and never answered

    started = time.monotonic()
    response = http.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk))

    assert time.monotonic() - started < CONNECT_TIMEOUT_PROMPT
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert http.get(f"{server.url}/api/health").status_code == 200


def test_the_same_process_recovers_when_the_database_comes_back(proxied, owner, http):
    server, db_proxy = proxied
    pid = server.process.pid
    task = TaskFactory(user=owner, title="Before the outage")
    _warm_every_thread(http, server, owner, threads=4)
    db_proxy.cut()
    down = [http.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk)) for _ in range(3)]
    assert {response.status_code for response in down} == {503}

    db_proxy.restore()

    # No settling time and no failed request: stale connections are replaced on first use.
    assert http.get(f"{server.url}/api/health/ready").json() == READY
    for method, path, body in _calls(task.pk):
        response = http.request(
            method, server.url + path, json=body, headers=server.headers(owner.pk)
        )
        assert response.status_code in (200, 201, 204), (method, path, response.text)
    with ThreadPoolExecutor(8) as pool:
        burst = list(
            pool.map(
                lambda _: http.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk)),
                range(32),
            )
        )
    assert {response.status_code for response in burst} == {200}
    assert server.alive and server.process.pid == pid
    assert Task.objects.get(pk=task.pk).deleted_at is not None  # the DELETE above really ran
    assert Task.objects.filter(user=owner, title="Written while the database is down").count() == 1


def _signup(http, server, owner):
    body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "correct-Horse-battery-7"}
    return http.post(f"{server.url}/api/auth/signup", json=body)


def _list(http, server, owner):
    return http.get(f"{server.url}/api/tasks", headers=server.headers(owner.pk))


def _create(http, server, owner):
    return http.post(
        f"{server.url}/api/tasks", json={"title": "After"}, headers=server.headers(owner.pk)
    )


def _new_user(http, server, owner):
    return http.get(f"{server.url}/api/auth/me", headers=server.headers(uuid.uuid4()))


def _ready(http, server, owner):
    return http.get(f"{server.url}/api/health/ready")


@pytest.mark.parametrize("first_request", [_list, _create, _new_user, _signup, _ready])
def test_the_first_request_on_a_stale_connection_succeeds(
    proxied_one_thread, owner, http, first_request
):
    # One thread: the request after the outage is sure to find the connection the outage broke.
    server, db_proxy = proxied_one_thread
    assert _list(http, server, owner).status_code == 200
    connections = db_proxy.accepted
    db_proxy.cut()  # the idle persistent connection dies; nobody notices yet
    db_proxy.restore()

    response = first_request(http, server, owner)

    assert response.status_code in (200, 201), response.text
    assert response.json()["success"] is True
    assert db_proxy.accepted == connections + 1  # replaced, once


def test_a_server_pointed_at_a_dead_port_answers_503_promptly(start_server, owner, http):
    server = start_server(env={"DATABASE_URL": database_url(port=free_port())}, threads=2)

    for method, path, body in _calls(1):
        started = time.monotonic()
        response = http.request(
            method, server.url + path, json=body, headers=server.headers(owner.pk)
        )

        assert time.monotonic() - started < PROMPT, (method, path)
        assert (response.status_code, response.json()) == (503, UNAVAILABLE), (method, path)
    assert (http.get(f"{server.url}/api/health").status_code) == 200
    assert http.get(f"{server.url}/api/health/ready").json() == NOT_READY
