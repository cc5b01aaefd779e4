"""End-to-end fixtures: the app as production runs it (the Procfile's
server, DEBUG off, WhiteNoise after
collectstatic) in a subprocess on its own database, two static page servers for CORS, and
Debian's Chromium driven by Playwright. Nothing is downloaded; nothing leaves 127.0.0.1.
"""

import functools
import http.server
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from testing.environment import require
from testing.live_server import collect_static, free_port, server_command, server_process_env

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STAFF_EMAIL, STAFF_PASSWORD = "staff@example.com", "e2e-Staff-passw0rd"
DEMO_PASSWORD = "e2e-Demo-passw0rd"
USERS, TASKS_PER_USER = 2, 30


class PageServer:
    """A static file server for e2e/pages on its own port: a browser origin of its own."""

    def __init__(self):
        handler = functools.partial(_QuietHandler, directory=str(PAGES))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class Database:
    """The e2e server's own database, read directly (the test process's ORM uses another)."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith(("postgres://", "postgresql://"))

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql, params).fetchall()
        with sqlite3.connect(urlsplit(self.url).path) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()


def _postgres_database(url: str):
    """A fresh database beside the suite's own on the same server; returns (url, drop)."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'todo'}_e2e_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@dataclass
class E2EServer:
    """The e2e server: its URL, its database, and the two page origins (allowed, blocked)."""

    base_url: str
    db: Database
    allowed: PageServer
    blocked: PageServer

    @property
    def netloc(self) -> str:
        return urlsplit(self.base_url).netloc


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
    )


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not become ready:\n{log.read_text()}")


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory):
    """The Procfile's `web:` command, DJANGO_DEBUG=false, static files collected for WhiteNoise."""
    require(
        CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    )
    tmp = tmp_path_factory.mktemp("e2e")
    suite_db = os.environ.get("DATABASE_URL", "")
    drop = None
    if suite_db.startswith(("postgres://", "postgresql://")):
        db_url, drop = _postgres_database(suite_db)
    else:
        db_url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    allowed, blocked = PageServer(), PageServer()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JWT_"))},
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain http on loopback: cookies can't be Secure-only here.
        "DJANGO_SESSION_COOKIE_SECURE": "false",
        "DJANGO_CSRF_COOKIE_SECURE": "false",
        "CORS_ALLOWED_ORIGINS": allowed.origin,
        "DATABASE_URL": db_url,
        "REDIS_URL": "",
        "THROTTLE_AUTH_RATE": "100/minute",
        "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD,
    }
    _manage(env, "migrate", "--noinput")
    collect_static(env)
    _manage(env, "createsuperuser", "--noinput", "--email", STAFF_EMAIL)
    _manage(env, "seed", "--users", str(USERS), "--tasks-per-user", str(TASKS_PER_USER))
    _manage(env, "seed", "--users", str(USERS), "--password", DEMO_PASSWORD)  # safe twice
    log = tmp / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            server_command(),
            cwd=ROOT,
            env=server_process_env(env, port, workers=2, threads=2),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, process, log)
        yield E2EServer(base_url, Database(db_url), allowed, blocked)
    finally:
        process.terminate()
        process.wait(timeout=30)
        allowed.close()
        blocked.close()
        if drop:
            drop()


@pytest.fixture(scope="session")
def browser(e2e_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
