"""The API as a real server process in production mode (the `Procfile`'s `web:` command), on a
free port.

Tests that need real HTTP, real processes and real database sessions (faults, concurrency,
fuzzing) start one with `live_server_process(...)`. It serves whatever database the URL names;
by default the test database pytest-django has already created and migrated, which the test
must therefore see committed (`django_db(transaction=True)`), and which only PostgreSQL can
share between processes.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import jwt
import redis
from django.db import connection

from .environment import REDIS_URL, redis_available, require

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable the settings read that could change the server's behaviour: set explicitly, so
# neither the test run's environment nor a developer's `.env` file leaks into the server.
_NEUTRAL_ENV = {
    "DJANGO_SETTINGS_MODULE": "todo_project.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CORS_ALLOWED_ORIGINS": "http://localhost:3000",
    "JWT_JWKS_URL": "",
    "JWT_ISSUER": "",
    "JWT_AUDIENCE": "",
    "REDIS_URL": "",
    "LOG_LEVEL": "INFO",
    "PYTHONUNBUFFERED": "1",
}
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(
    *, host: str | None = None, port: int | None = None, name: str | None = None, **options: str
) -> str:
    """A DATABASE_URL for the database this process uses (the test database under pytest).

    `host`/`port`/`name` replace the real ones: point the server at a proxy or a dead port.
    `options` become connection parameters (`application_name="..."` tags its sessions).
    """
    conf = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("a server process can share only a PostgreSQL test database")
    credentials = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    netloc = f"{host or conf['HOST'] or '127.0.0.1'}:{port or conf['PORT'] or 5432}"
    url = f"postgres://{credentials}@{netloc}/{quote(name or conf['NAME'], safe='')}"
    if conf.get("OPTIONS", {}).get("sslmode"):
        options.setdefault("sslmode", conf["OPTIONS"]["sslmode"])
    return f"{url}?{urlencode(options)}" if options else url


@dataclass
class LiveServer:
    """A running server: its base URL, process, log file and the secret its tokens need."""

    url: str
    process: subprocess.Popen
    log_path: Path
    auth_secret: str
    env: dict = field(repr=False)

    def token(self, sub: uuid.UUID | str, *, ttl: int = 300, **claims) -> str:
        """An HS256 access token this server accepts (extra claims as given)."""
        now = int(time.time())
        payload = {"sub": str(sub), "iat": now, "exp": now + ttl, **claims}
        return jwt.encode(payload, self.auth_secret, algorithm="HS256")

    def headers(self, sub: uuid.UUID | str, **claims) -> dict:
        """`Authorization` header for requests as the user `sub`."""
        return {"Authorization": f"Bearer {self.token(sub, **claims)}"}

    def log(self) -> str:
        """Everything the server wrote so far (the server's own lines and the JSON logs)."""
        return self.log_path.read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) at once, as a crash would."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        """Quick shutdown (SIGQUIT: no waiting for idle keep-alive clients), else SIGKILL."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:
            self.process.wait(timeout=10)


def _wait_until_healthy(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive:
            raise RuntimeError(f"server exited ({server.process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{server.log()}")


def process_env(**overrides: str) -> dict:
    """The environment of a server or `manage.py` process: neutral settings, fresh secrets.

    Nothing of the test run's environment or of a developer's `.env` file leaks in.
    """
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(_NEUTRAL_ENV)
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["BETTER_AUTH_SECRET"] = secrets.token_urlsafe(48)
    env.update(overrides)
    return env


def shared_sqlite_env(directory: Path, **overrides: str) -> dict:
    """The environment of servers sharing a fresh SQLite database in `directory`, migrated.

    For tests whose servers need a database of their own on either suite (SQLite or
    PostgreSQL): `process_env` with DATABASE_URL set, and `overrides` on top.
    """
    env = process_env(DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}", **overrides)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env


def _server_env(overrides: dict | None) -> dict:
    env = process_env(**(overrides or {}))
    if "DATABASE_URL" not in env:  # only now: database_url() needs PostgreSQL
        env["DATABASE_URL"] = database_url()
    return env


def procfile_command(name: str = "web") -> str:
    """The command the `Procfile` runs for `name`: what production deploys."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        process, sep, command = line.partition(":")
        if sep and process.strip() == name:
            return command.strip()
    raise RuntimeError(f"the Procfile has no {name!r} line")


def server_command() -> list[str]:
    """The Procfile's `web:` command, run by a shell as the platform runs it (it expands
    `$PORT`, `$WEB_CONCURRENCY`, ...); `exec`, so the server is the process we signal."""
    return ["/bin/sh", "-c", f"exec {procfile_command()}"]


def server_process_env(env: dict, port: int, workers: int, threads: int) -> dict:
    """What a test controls of the Procfile's command, set as the platform would set it."""
    bin_dir = str(Path(sys.executable).parent)  # the venv's `granian`, as on the platform's PATH
    return {
        **env,
        "PATH": os.pathsep.join([bin_dir, env.get("PATH", os.defpath)]),
        "WEB_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "WEB_THREADS": str(threads),
    }


_static_collected = False


def collect_static(env: dict) -> None:
    """`manage.py collectstatic` once per test run: production settings serve the admin's and
    the docs' files from its manifest, and a page that names a missing file is a 500. A fresh
    clone has none, so every live server (not only the e2e one) makes sure they are there."""
    global _static_collected
    if not _static_collected:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        _static_collected = True


@contextmanager
def live_server_process(
    *,
    env: dict | None = None,
    workers: int = 1,
    threads: int = 4,
    ready_timeout: float = 20,
) -> Iterator[LiveServer]:
    """Run the `Procfile`'s `web:` command (granian's WSGI server) until the block ends.

    `workers` and `threads` become `WEB_CONCURRENCY` and `WEB_THREADS`, as a platform sets them.

    Production settings (`DJANGO_DEBUG=false`, fresh strong secrets). `DATABASE_URL` defaults to
    the test database (`database_url()`); `env` overrides anything. Waits for `/api/health`;
    stops the server on exit, whether it is still running or was killed.
    """
    port = free_port()
    server_env = _server_env(env)
    collect_static(server_env)
    with tempfile.NamedTemporaryFile(prefix="live-server-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            server_command(),
            cwd=BASE_DIR,
            env=server_process_env(server_env, port, workers, threads),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the workers too
        )
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        process=process,
        log_path=Path(log.name),
        auth_secret=server_env["BETTER_AUTH_SECRET"],
        env=server_env,
    )
    try:
        _wait_until_healthy(server, ready_timeout)
        yield server
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)


@contextmanager
def redis_servers(
    directory: Path, count: int = 2, **overrides: str
) -> Iterator[tuple[list[LiveServer], dict]]:
    """`count` servers sharing a fresh SQLite database (in `directory`) and the Redis on
    127.0.0.1:6379, under a key prefix of their own that is deleted afterwards; and their
    environment. Skipped without Redis (a failure in CI)."""
    require(redis_available(), "needs Redis on 127.0.0.1:6379 (CI starts it)")
    prefix = f"test-{uuid.uuid4().hex}"
    env = shared_sqlite_env(directory, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix, **overrides)
    try:
        with ExitStack() as stack:
            yield [stack.enter_context(live_server_process(env=env)) for _ in range(count)], env
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
