"""gunicorn for production, configured from the environment: `gunicorn -c gunicorn.conf.py`.

| variable | setting | default |
|---|---|---|
| `GUNICORN_BIND` (or `PORT`) | address to listen on | `0.0.0.0:$PORT`, `PORT` 8000 |
| `WEB_CONCURRENCY` | worker processes | 2 x CPUs + 1 |
| `GUNICORN_THREADS` | threads per worker (more than 1: the gthread worker) | 1 |
| `GUNICORN_TIMEOUT` | seconds a request may take before its worker is restarted | 30 |
| `GUNICORN_GRACEFUL_TIMEOUT` | seconds to finish requests on restart or shutdown | 30 |
| `GUNICORN_KEEPALIVE` | seconds an idle keep-alive connection is held | 5 |
| `GUNICORN_MAX_REQUESTS` | requests before a worker is recycled (0: never) | 1000 |
| `GUNICORN_MAX_REQUESTS_JITTER` | random extra, so workers don't all recycle at once | 100 |
| `GUNICORN_LOG_LEVEL` | gunicorn's own error log level | `info` |
| `FORWARDED_ALLOW_IPS` | proxies trusted for X-Forwarded-* (`*`: any) | `127.0.0.1,::1` |
"""

import multiprocessing
import os
from pathlib import Path

from dotenv import load_dotenv

# The same `.env` as the app reads (real environment variables win).
load_dotenv(Path(__file__).resolve().parent / ".env", override=False)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None


wsgi_app = "todo_project.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"]

workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

# No gunicorn access log: the app writes one JSON line per request itself, with the request id
# and user id (api/middleware.py) on stdout. gunicorn's own messages go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"

# Worker heartbeats in memory, not on a possibly slow or read-only disk (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket in the home directory: nothing here uses it, and two servers would share it.
control_socket_disable = True
