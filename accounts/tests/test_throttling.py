"""Signin and signup limits per client address: in-process (local memory) and across processes."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from testing.auth import STRONG_PASSWORD
from testing.live_server import redis_servers

pytestmark = pytest.mark.django_db

SIGNIN, SIGNUP = "/api/auth/signin", "/api/auth/signup"
WRONG = {"email": "nobody@example.com", "password": "wrong-password-123"}


def signin(client: APIClient | None = None, **extra):
    return (client or APIClient()).post(SIGNIN, WRONG, format="json", **extra)


def assert_rate_limited(response, *, window: int = 60) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "RATE_LIMITED"
    assert body["error"]["message"].startswith("Request was throttled.")
    assert 1 <= int(response.headers["Retry-After"]) <= window


def test_default_limit_is_ten_signins_a_minute_per_address():
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"] == "10/minute"
    responses = [signin() for _ in range(11)]

    assert [r.status_code for r in responses] == [401] * 10 + [429]
    assert_rate_limited(responses[-1])


def test_signin_over_the_limit_is_429_even_with_the_right_password(rate, user):
    rate("3/minute")
    right = {"email": user.email, "password": "password"}  # the factory's password
    client = APIClient()

    statuses = [client.post(SIGNIN, right, format="json").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_signup_is_limited_too(rate):
    rate("2/minute")
    bodies = [{"email": f"u{i}@example.com", "password": STRONG_PASSWORD} for i in range(3)]

    responses = [APIClient().post(SIGNUP, body, format="json") for body in bodies]

    assert [r.status_code for r in responses] == [201, 201, 429]
    assert_rate_limited(responses[-1])
    assert User.objects.count() == 2


def test_signin_and_signup_have_separate_budgets(rate):
    rate("2/minute")
    signin(), signin()

    response = APIClient().post(SIGNUP, {"email": "a@example.com"}, format="json")

    assert response.status_code == 422  # counted, but in signup's own budget
    assert signin().status_code == 429


def test_other_endpoints_are_not_limited(rate, auth_client):
    rate("1/minute")
    signin()

    responses = [auth_client.get("/api/auth/me") for _ in range(5)]

    assert {r.status_code for r in responses} == {200}


def test_the_limit_is_per_client_address(rate):
    rate("2/minute")
    for _ in range(2):
        signin(REMOTE_ADDR="203.0.113.1")

    assert signin(REMOTE_ADDR="203.0.113.1").status_code == 429
    assert signin(REMOTE_ADDR="203.0.113.2").status_code == 401


def test_retry_after_counts_down_from_the_first_request_of_the_window(rate):
    rate("1/hour")
    signin()

    response = signin()

    assert_rate_limited(response, window=3600)
    assert int(response.headers["Retry-After"]) > 3590


def test_without_trusted_proxies_x_forwarded_for_is_ignored(rate, num_proxies):
    num_proxies(0)
    rate("2/minute")

    statuses = [signin(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(1, 5)]

    assert statuses == [401, 401, 429, 429]


def test_behind_one_trusted_proxy_the_client_is_the_last_forwarded_address(rate, num_proxies):
    num_proxies(1)
    rate("2/minute")
    # The proxy appends the real client address; anything before it came from the client.
    for spoofed in ("1.1.1.1", "2.2.2.2"):
        signin(HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7")

    assert signin(HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.7").status_code == 429
    assert signin(HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 401


def test_concurrent_requests_cannot_get_past_the_limit(rate):
    rate("5/minute")

    def attempt(_) -> int:
        try:
            return signin().status_code
        finally:
            connection.close()  # the thread's own database connection

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, range(20)))

    assert statuses.count(429) == 15


# --- several processes, one Redis -------------------------------------------------------------


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two gunicorn processes: production settings, one SQLite file, one Redis (a key prefix
    of their own). Shared by the tests below, which use different budgets (signin, signup)."""
    with redis_servers(tmp_path_factory.mktemp("two-servers"), THROTTLE_AUTH_RATE="3/minute") as (
        servers,
        _,
    ):
        yield [server.url for server in servers]


def test_the_limit_holds_across_processes_sharing_redis(two_servers):
    a, b = two_servers

    statuses = []
    for url in (a, b, a, b):  # each process alone has seen only two requests
        statuses.append(requests.post(f"{url}{SIGNIN}", json=WRONG, timeout=10))

    assert [r.status_code for r in statuses] == [401, 401, 401, 429]
    limited = statuses[-1]
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    spoofed = requests.post(
        f"{a}{SIGNIN}", json=WRONG, headers={"X-Forwarded-For": "192.0.2.77"}, timeout=10
    )
    assert spoofed.status_code == 429


def test_concurrent_requests_to_both_processes_get_exactly_the_limit(two_servers):
    a, b = two_servers
    body = {"email": "not-an-email", "password": "x"}  # 422 when let through: no hashing cost

    with ThreadPoolExecutor(max_workers=12) as pool:
        urls = [a, b] * 6
        responses = list(
            pool.map(lambda url: requests.post(f"{url}{SIGNUP}", json=body, timeout=10), urls)
        )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [422] * 3 + [429] * 9


def test_signin_with_the_shared_cache_down_is_503_not_500(settings, api_client):
    # A Redis nobody listens on: the throttle cannot count, so signin is refused honestly.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = api_client.post(
        "/api/auth/signin", {"email": "a@example.com", "password": "x"}, format="json"
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
