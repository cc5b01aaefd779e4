#!/usr/bin/env bash
# Load benchmark: the server as production runs it (gunicorn, DEBUG off) driven by wrk.
#
#   bench/run.sh                       # SQLite file under bench/out/, a quick look
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/todo_bench bench/run.sh
#
# Knobs: DURATION (seconds per scenario, 10), CONNECTIONS ("16 64"), SCENARIOS
# ("list get toggle create"), WEB_CONCURRENCY (gunicorn workers, 1), GUNICORN_THREADS (1: the sync worker),
# PORT (8089), GUNICORN_MAX_REQUESTS (0: no worker recycling). Needs wrk (Debian: apt-get install wrk). Prints one line per scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-"16 64"}
SCENARIOS=${SCENARIOS:-"list get toggle create"}
WORKERS=${WEB_CONCURRENCY:-1}
THREADS=${GUNICORN_THREADS:-1}
PORT=${PORT:-8089}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt; }
PY=.venv/bin/python

export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-"bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"}
export BETTER_AUTH_SECRET=${BETTER_AUTH_SECRET:-"bench-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"}
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL=${DATABASE_URL:-"sqlite:///$OUT/bench.sqlite3"}
export LOG_LEVEL=${LOG_LEVEL:-INFO}
# Worker recycling (gunicorn.conf.py's default 1000 requests) would stall a single-worker run for
# a second at a time; it is measured separately by setting GUNICORN_MAX_REQUESTS.
export GUNICORN_MAX_REQUESTS=${GUNICORN_MAX_REQUESTS:-0}

echo "database: ${DATABASE_URL%%://*}  workers: $WORKERS  threads: $THREADS  duration: ${DURATION}s"
if [[ "$DATABASE_URL" == postgres* ]]; then
  DB_NAME=${DATABASE_URL##*/}; DB_NAME=${DB_NAME%%\?*}
  ADMIN_URL="${DATABASE_URL%/*}/postgres"
  psql -q "$ADMIN_URL" -tc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || psql -q "$ADMIN_URL" -c "CREATE DATABASE \"$DB_NAME\""
fi
$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0
FIXTURE=$(LOG_LEVEL=WARNING $PY bench/prepare.py)
field() { $PY -c "import json,sys; d=json.loads(sys.argv[1]); v=d[sys.argv[2]]; print(','.join(map(str,v)) if isinstance(v,list) else v)" "$FIXTURE" "$1"; }
QUERIES=$($PY -c "import json,sys; print(json.loads(sys.argv[1])['queries'])" "$FIXTURE")
echo "SQL statements per request (existing user): $QUERIES"

CONF=(); [ -f gunicorn.conf.py ] && CONF=(-c gunicorn.conf.py)
$PY -m gunicorn todo_project.wsgi:application "${CONF[@]}" --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --threads "$THREADS" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null || { echo "server did not start" >&2; cat "$OUT/server.log" >&2; exit 1; }

printf '%-8s %5s %9s %8s %8s %8s %8s %7s\n' scenario conns "req/s" p50ms p95ms p99ms maxms errors
for conns in $CONNECTIONS; do
  for scenario in $SCENARIOS; do
    case $scenario in
      list|get) TOKEN=$(field reader_token); IDS=$(field reader_task_ids) ;;
      *) TOKEN=$(field writer_token); IDS=$(field writer_task_ids) ;;
    esac
    line=$(SCENARIO=$scenario TOKEN=$TOKEN IDS=$IDS wrk -t1 -c"$conns" -d"${DURATION}s" \
      --timeout 5s -s bench/scenario.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
    eval "${line#RESULT }"
    printf '%-8s %5s %9s %8s %8s %8s %8s %7s\n' "$scenario" "$conns" "$rps" "$p50" "$p95" "$p99" "$max" "$errors"
  done
done
