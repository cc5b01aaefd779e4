"""The admin's sign-in is limited like the API's signin: THROTTLE_AUTH_RATE attempts per client
address and per account tried, counted in the shared cache (across processes with Redis),
refused with a clear page (429, Retry-After), and closed (503) when the cache is down."""

import re
import subprocess
import sys

import pytest
import requests
from django.test import Client

from accounts.factories import UserFactory
from testing.live_server import BASE_DIR, redis_servers

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
STAFF, OTHER_STAFF = "staff@example.com", "other-staff@example.com"
PASSWORD = "password"  # the factory's
LIMITED = re.compile(r"Too many sign-in attempts\. Try again in (\d+) seconds?\.")


@pytest.fixture(autouse=True)
def staff(db, rate):
    rate("3/minute")
    UserFactory(email=OTHER_STAFF, is_staff=True)
    return UserFactory(email=STAFF, is_staff=True, is_superuser=True)


def sign_in(email: str, password: str = "wrong-password", *, address: str = "203.0.113.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": email, "password": password, "next": "/admin/"})
    response.client = client
    return response


def assert_signed_in(response) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert response.client.get("/admin/").status_code == 200


def assert_limited(response) -> int:
    """A 429 page that says how long to wait, with the same Retry-After; no session."""
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    wait = int(LIMITED.search(html).group(1))
    assert 1 <= wait <= 60
    assert response["Retry-After"] == str(wait)
    assert "Todo API administration" in html  # the admin's own page, styled as the admin
    assert "_auth_user_id" not in response.client.session
    return wait


def test_a_staff_sign_in_within_the_limit_works():
    sign_in(STAFF)

    assert_signed_in(sign_in(STAFF, PASSWORD))


def test_wrong_passwords_from_one_address_are_limited_with_a_clear_page():
    tries = [sign_in(STAFF) for _ in range(3)]

    assert [r.status_code for r in tries] == [200] * 3  # the form again, with its error
    assert_limited(sign_in(STAFF))
    assert_limited(sign_in(OTHER_STAFF, PASSWORD))  # this address is done for the window


def test_one_account_tried_from_many_addresses_is_limited_but_no_other_account():
    tries = [sign_in(STAFF, address=f"198.51.100.{n}") for n in range(1, 4)]

    assert [r.status_code for r in tries] == [200] * 3
    assert_limited(sign_in(STAFF, PASSWORD, address="198.51.100.9"))  # even the right password
    assert_signed_in(sign_in(OTHER_STAFF, PASSWORD, address="198.51.100.10"))


def test_the_account_is_the_email_in_any_letter_case():
    for email in ("Staff@Example.com", " STAFF@example.com", "staff@EXAMPLE.com"):
        sign_in(email, address=f"192.0.2.{len(email)}")

    assert_limited(sign_in(STAFF, PASSWORD, address="192.0.2.99"))


def test_attempts_the_address_limit_refuses_do_not_count_against_an_account():
    for _ in range(3):
        sign_in(STAFF)
    for _ in range(5):
        assert_limited(sign_in(OTHER_STAFF))  # refused per address: not counted for the account

    assert_signed_in(sign_in(OTHER_STAFF, PASSWORD, address="203.0.113.2"))


def test_looking_at_the_sign_in_page_is_not_an_attempt():
    client = Client(REMOTE_ADDR="203.0.113.1")
    pages = [client.get(LOGIN) for _ in range(10)]

    assert {page.status_code for page in pages} == {200}
    assert_signed_in(sign_in(STAFF, PASSWORD))


def test_with_the_shared_cache_down_sign_in_is_a_503_page_not_a_500(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nobody listens there
        }
    }

    response = sign_in(STAFF, PASSWORD)

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Sign-in is temporarily unavailable." in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    assert Client().get(LOGIN).status_code == 200  # the page itself needs no cache


# --- two processes sharing Redis -------------------------------------------------------------


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two gunicorn processes, one database with two staff accounts, one Redis; the client
    address comes from X-Forwarded-For (one trusted proxy), so a test can play many."""
    overrides = {
        "THROTTLE_AUTH_RATE": "3/minute",
        "NUM_PROXIES": "1",
        "DJANGO_SESSION_COOKIE_SECURE": "false",  # plain http on loopback
        "DJANGO_CSRF_COOKIE_SECURE": "false",
    }
    with redis_servers(tmp_path_factory.mktemp("admin-limit"), **overrides) as (found, env):
        for email in (STAFF, OTHER_STAFF):
            subprocess.run(
                [sys.executable, "manage.py", "createsuperuser", "--noinput", "--email", email],
                cwd=BASE_DIR,
                env={**env, "DJANGO_SUPERUSER_PASSWORD": "Staff-passw0rd-e2e"},
                check=True,
                capture_output=True,
                timeout=120,
            )
        yield found


def http_sign_in(server, email: str, password: str, address: str) -> requests.Response:
    """The admin's form, as a browser sends it: the CSRF cookie and token, then the POST."""
    session = requests.Session()
    headers = {"X-Forwarded-For": address}
    page = session.get(f"{server.url}{LOGIN}", headers=headers, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {"csrfmiddlewaretoken": token, "username": email, "password": password}
    response = session.post(
        f"{server.url}{LOGIN}?next=/admin/",
        data=form,
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    response.session = session
    return response


def test_the_limits_hold_across_processes_sharing_redis(servers):
    first, second = servers
    alternate = [first, second, first, second]

    per_address = [http_sign_in(s, "nobody@example.com", "x", "198.51.100.1") for s in alternate]
    per_account = [
        http_sign_in(s, STAFF, "wrong", f"198.51.100.{n}") for n, s in enumerate(alternate, 2)
    ]
    other = http_sign_in(second, OTHER_STAFF, "Staff-passw0rd-e2e", "198.51.100.20")

    assert [r.status_code for r in per_address] == [200, 200, 200, 429]
    assert [r.status_code for r in per_account] == [200, 200, 200, 429]
    for limited in (per_address[-1], per_account[-1]):
        wait = int(LIMITED.search(limited.text).group(1))
        assert limited.headers["Retry-After"] == str(wait)
    # Another account from a fresh address signs in; its session works on either process.
    assert (other.status_code, other.headers["Location"]) == (302, "/admin/")
    index = other.session.get(f"{first.url}/admin/", allow_redirects=False, timeout=10)
    assert index.status_code == 200 and "Todo API administration" in index.text
    assert http_sign_in(first, STAFF, "Staff-passw0rd-e2e", "198.51.100.30").status_code == 429
