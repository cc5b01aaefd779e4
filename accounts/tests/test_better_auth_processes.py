"""The real `better-auth` package against two real server processes: a user with Better Auth's
default id, key rotation used within the same second, and Better Auth going down and back.

Better Auth (interop/better_auth) runs as configured out of the box: its own 32-character user
ids, the jwt() plugin's EdDSA keys. Its `createJwk` adds a signing key, as rotation does; the
next token it issues is signed with it.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from testing.better_auth import better_auth
from testing.live_server import live_server_process, shared_sqlite_env


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """(Better Auth, two servers configured as the README says, sharing one database)."""
    env = shared_sqlite_env(tmp_path_factory.mktemp("better-auth-processes"))
    with better_auth(env["BETTER_AUTH_SECRET"], ids="default") as issuer:
        info = issuer.info
        env.update(
            JWT_JWKS_URL=info["jwks_url"], JWT_ISSUER=info["issuer"], JWT_AUDIENCE=info["audience"]
        )
        with live_server_process(env=env) as first, live_server_process(env=env) as second:
            yield issuer, (first, second)


def on_both(servers, token: str, method: str = "get", path: str = "/api/auth/me", **kwargs):
    """The same request on every server at the same moment."""
    headers = {"Authorization": f"Bearer {token}"}

    def call(server):
        return requests.request(
            method, f"{server.url}{path}", headers=headers, timeout=10, **kwargs
        )

    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        return list(pool.map(call, servers))


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def test_a_default_id_user_rotation_and_an_outage_on_two_processes(setup):
    issuer, servers = setup
    user_id = issuer.info["user_id"]
    first = issuer.command("token")

    me = on_both(servers, first["token"])
    assert statuses(me) == [200, 200]
    assert {r.json()["data"]["id"] for r in me} == {user_id}  # 32 characters, not a UUID
    created = requests.post(
        f"{servers[0].url}/api/{user_id}/tasks",
        json={"title": "Made on the first"},
        headers={"Authorization": f"Bearer {first['token']}"},
        timeout=10,
    )
    assert created.json()["data"]["user_id"] == user_id
    listed = on_both(servers, first["token"], path=f"/api/{user_id}/tasks")
    assert [[t["title"] for t in r.json()["data"]] for r in listed] == [["Made on the first"]] * 2

    # Rotation: Better Auth signs with a new key; both processes accept it at once.
    rotated = issuer.command("rotate")["kid"]
    second = issuer.command("token")
    assert second["kid"] == rotated != first["kid"]
    started = time.monotonic()
    assert statuses(on_both(servers, second["token"])) == [200, 200]
    assert time.monotonic() - started < 1.5

    # Better Auth goes down: known keys keep working, a key minted meanwhile is a 503.
    issuer.command("down")
    assert statuses(on_both(servers, second["token"])) == [200, 200]
    issuer.command("rotate")
    third = issuer.command("token")
    during = on_both(servers, third["token"])
    assert statuses(during) == [503, 503]
    assert {r.headers["Retry-After"] for r in during} == {"1"}
    assert {r.json()["error"]["code"] for r in during} == {"SERVICE_UNAVAILABLE"}

    # Back: both accept the new key within a second.
    issuer.command("up")
    back = time.monotonic()
    while statuses(answers := on_both(servers, third["token"])) != [200, 200]:
        assert set(statuses(answers)) <= {200, 503}
        assert time.monotonic() - back < 1.5, "not recovered within a second"
        time.sleep(0.05)
    assert {r.json()["data"]["id"] for r in answers} == {user_id}
