"""The admin's sign-in limit as staff meet it in a browser: a clear "try again in N seconds"
page in the admin's own look, another account still signing in, the attacked one paused.

Its own production-mode server (3 attempts a minute; the client address from X-Forwarded-For,
one trusted proxy), so each browser context can come from an address of its own and the
session server the other e2e tests share never sees these attempts.
"""

import re
import subprocess
import sys

import pytest

from testing.live_server import BASE_DIR, live_server_process, shared_sqlite_env

ATTACKED, OTHER, PASSWORD = "boss@example.com", "ops@example.com", "e2e-Staff-passw0rd"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory, e2e_server):  # e2e_server: static files are collected
    env = shared_sqlite_env(
        tmp_path_factory.mktemp("admin-limit-browser"),
        THROTTLE_AUTH_RATE="3/minute",
        NUM_PROXIES="1",
        DJANGO_SESSION_COOKIE_SECURE="false",  # plain http on loopback
        DJANGO_CSRF_COOKIE_SECURE="false",
    )
    for email in (ATTACKED, OTHER):
        subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--noinput", "--email", email],
            cwd=BASE_DIR,
            env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            check=True,
            capture_output=True,
            timeout=120,
        )
    with live_server_process(env=env) as server:
        yield server


def from_address(browser, address: str):
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": address})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def submit(page, url: str, email: str, password: str):
    """Fill the admin's sign-in form and submit it; the response of that submission."""
    if "/admin/login/" not in page.url:
        page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click("input[type=submit]")
    return navigation.value


def test_the_limit_page_and_who_can_still_sign_in(browser, limited_server):
    url = limited_server.url
    attacker, page = from_address(browser, "203.0.113.66")
    try:
        statuses = [submit(page, url, ATTACKED, f"guess-{n}").status for n in range(3)]
        assert statuses == [200, 200, 200]
        assert "Please enter the correct email address and password" in page.inner_text("body")

        limited = submit(page, url, ATTACKED, "guess-4")

        assert limited.status == 429
        text = page.inner_text("#content")
        wait = int(re.search(r"Try again in (\d+) seconds?\.", text).group(1))
        assert 1 <= wait <= 60
        assert limited.headers["retry-after"] == str(wait)
        assert page.inner_text("#site-name") == "Todo API administration"
        header = page.evaluate("getComputedStyle(document.getElementById('header')).background")
        assert "rgba(0, 0, 0, 0)" not in header  # the admin's stylesheet is applied
        page.click("text=Back to the sign-in page")
        assert page.locator("#id_username").count() == 1
    finally:
        attacker.close()

    staff, page = from_address(browser, "203.0.113.7")
    try:
        signed_in = submit(page, url, OTHER, PASSWORD)
        assert signed_in.status == 200 and page.url == f"{url}/admin/"
        assert page.inner_text("#site-name") == "Todo API administration"
        assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")

        # The attacked account waits out the window, even with its password, from anywhere.
        page.context.clear_cookies()
        assert submit(page, url, ATTACKED, PASSWORD).status == 429
    finally:
        staff.close()
