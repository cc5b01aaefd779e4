"""Key rotation and issuer outages seen by two real server processes (gunicorn, production
settings), each with its own key cache, against a real JWKS endpoint.

A token signed with a key published a moment ago is accepted at once by both; while the issuer
is down, cached keys keep working and unseen ones are a 503 with Retry-After (never a 401); a
second after it is back, both accept the new key.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from testing.auth import access_claims
from testing.jwks import JWKSServer
from testing.live_server import live_server_process, shared_sqlite_env


@pytest.fixture(scope="module")
def issuer():
    server = JWKSServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_servers(issuer, tmp_path_factory):
    env = shared_sqlite_env(tmp_path_factory.mktemp("jwks-processes"), JWT_JWKS_URL=issuer.url)
    with live_server_process(env=env) as first, live_server_process(env=env) as second:
        yield first, second


def me_on_both(servers, token: str) -> list[requests.Response]:
    """GET /api/auth/me with the token on every server at the same moment."""
    headers = {"Authorization": f"Bearer {token}"}
    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        return list(
            pool.map(
                lambda s: requests.get(f"{s.url}/api/auth/me", headers=headers, timeout=10),
                servers,
            )
        )


def test_rotation_and_an_outage_seen_by_two_processes(two_servers, issuer, make_key):
    user = str(uuid.uuid4())
    old, rotated, unseen = make_key("EdDSA"), make_key("EdDSA"), make_key("EdDSA")
    issuer.publish(old)
    assert [r.status_code for r in me_on_both(two_servers, old.sign(access_claims(user)))] == [
        200,
        200,
    ]
    assert issuer.fetches == 2  # one per process

    # Rotation: the new key is used at once, well within a second of the last fetches.
    issuer.publish(old, rotated)
    started = time.monotonic()
    after_rotation = me_on_both(two_servers, rotated.sign(access_claims(user)))
    assert [r.status_code for r in after_rotation] == [200, 200]
    assert {r.json()["data"]["id"] for r in after_rotation} == {user}
    assert time.monotonic() - started < 1.5
    assert issuer.fetches == 4

    # Down right after: known keys keep working, an unseen key is a 503 with Retry-After.
    issuer.stop()
    assert [r.status_code for r in me_on_both(two_servers, rotated.sign(access_claims(user)))] == [
        200,
        200,
    ]
    during = me_on_both(two_servers, unseen.sign(access_claims(user)))
    assert [r.status_code for r in during] == [503, 503]
    assert {r.json()["error"]["code"] for r in during} == {"SERVICE_UNAVAILABLE"}
    assert {r.headers["Retry-After"] for r in during} == {"1"}

    # Back, with the key: both recover within a second.
    issuer.publish(old, rotated, unseen)
    issuer.start()
    back = time.monotonic()
    statuses = []
    while time.monotonic() - back < 1.5:
        statuses = [
            r.status_code for r in me_on_both(two_servers, unseen.sign(access_claims(user)))
        ]
        if statuses == [200, 200]:
            break
        assert set(statuses) <= {200, 503}
        time.sleep(0.05)
    assert statuses == [200, 200]
    assert time.monotonic() - back < 1.5


def test_a_flood_of_made_up_kids_on_two_processes_costs_about_a_fetch_a_second_each(
    two_servers, issuer, make_key
):
    key = make_key("ES256")
    issuer.publish(key)
    me_on_both(two_servers, key.sign(access_claims(str(uuid.uuid4()))))  # both caches filled
    before = issuer.fetches
    stop_at = time.monotonic() + 2.5
    answers = []

    def flood(server) -> None:
        while time.monotonic() < stop_at:
            token = key.sign(access_claims(str(uuid.uuid4())), kid=uuid.uuid4().hex)
            response = requests.get(
                f"{server.url}/api/auth/me",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            answers.append((response.status_code, response.json()["error"]["details"]["reason"]))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(flood, [*two_servers] * 3))

    assert len(answers) >= 6 and set(answers) == {(401, "unknown_key")}
    assert issuer.fetches - before <= 2 * 4  # per process: at most one fetch a second
