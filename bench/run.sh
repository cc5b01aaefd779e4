#!/usr/bin/env bash
# Load benchmark, side by side in ONE run: the project as production serves it, the cost floor
# (../shared/bench-floor) and a FastAPI + SQLModel peer (bench/peer), interleaved scenario by
# scenario with the same wrk load, then a table with ratios (bench/report.py).
#
#   bench/run.sh                                   # project, floor, peer on PostgreSQL
#   SERVERS="sync gthread:4 granian:1 floor" bench/run.sh        # compare HTTP servers
#   CONNECTIONS=1 SCENARIOS=health SERVERS="sync granian:1 peer" bench/run.sh
#   PROFILE="list get" bench/run.sh                # + a py-spy profile of the project server
#
# Servers (SERVERS, space-separated, measured in this order, reversed every other round):
#   project        the production command: the Procfile's `web:` line (granian's WSGI server);
#                  PORT, WEB_CONCURRENCY (= WORKERS) and, when THREADS is set, WEB_THREADS
#   floor          ../shared/bench-floor (raw ASGI + psycopg + orjson), uvicorn, 1 worker
#   peer           bench/peer (FastAPI + SQLModel, the typical Phase II backend), uvicorn, 1 worker
#   sync           gunicorn's sync worker (the production server before issue 14)
#   gthread:N      gunicorn's gthread worker, N threads, keep-alive
#   granian[:N[:B]] granian's WSGI server, N blocking threads, backpressure B (default N);
#                  plain `granian` keeps granian's defaults (512 threads, backpressure 1024):
#                  a thread and a database connection per concurrent request, so run it alone
#                  (64 connections need 64 of PostgreSQL's 100); a backpressure below the
#                  number of connections starves the connections beyond it (keep-alive
#                  connections hold their slot), which the report's Little column shows
#   granian-asgi   granian on Django's ASGI handler;  uvicorn-asgi  uvicorn on it (both with
#                  DB_CONN_MAX_AGE=0, as Django advises under ASGI)
# The extra servers run from bench/out/servers-venv (requirements.txt + servers-requirements.txt).
#
# Knobs: DURATION (s per measurement, 8), WARMUP (s per server and scenario first, 2), ROUNDS
# (2), CONNECTIONS ("16 64"), SCENARIOS ("list get toggle create filtered health"), WORKERS (1:
# processes of every project server), DATABASE_URL (postgres .../todo_bench; the floor and peer
# use FLOOR_DATABASE_URL .../floor_bench and PEER_DATABASE_URL .../peer_bench, all created if
# missing), BASE_PORT (8090), PROFILE (scenarios to profile with py-spy after the measurements,
# on PROFILE_SERVER, the first project server; PROFILE_MODE gil (default: where the CPU goes)
# or wall (every thread, waits included)), THREADS (the project's WEB_THREADS; unset: the
# Procfile's default).
# `filtered` (?completed=false&ordering=-priority,due_at) runs only on a project that validates
# `ordering` (a bogus field is a 422), and not on the floor or peer; `health` not on the floor.
# Needs wrk (Debian: apt-get install wrk) and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-"16 64"}
SCENARIOS=${SCENARIOS:-"list get toggle create filtered health"}
SERVERS=${SERVERS:-"project floor peer"}
WORKERS=${WORKERS:-1}
BASE_PORT=${BASE_PORT:-8090}
PROFILE=${PROFILE:-}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL=${DATABASE_URL:-"$PG_URL/todo_bench"}
FLOOR_DATABASE_URL=${FLOOR_DATABASE_URL:-"$PG_URL/floor_bench"}
PEER_DATABASE_URL=${PEER_DATABASE_URL:-"$PG_URL/peer_bench"}
FLOOR_DIR=${FLOOR_DIR:-"$ROOT/../shared/bench-floor"}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# ---------------------------------------------------------------------------- environments
# A venv under bench/out, (re)built when its requirement files change.
venv() {
  local dir=$1; shift
  local stamp
  stamp=$(cat "$@" | sha256sum | cut -c1-16)
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "installing $dir ..." >&2
    rm -rf "$dir" && python3 -m venv "$dir"
    local args=() f
    for f in "$@"; do
      case $f in *constraints*) args+=(-c "$f") ;; *) args+=(-r "$f") ;; esac
    done
    "$dir/bin/pip" install -q --disable-pip-version-check "${args[@]}" >&2
    echo "$stamp" >"$dir/.stamp"
  fi
}
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt; }
PY=$ROOT/.venv/bin/python
SERVERS_VENV=$OUT/servers-venv
needs_servers_venv=$([ -n "$PROFILE" ] && echo 1 || true)
for s in $SERVERS; do case $s in project|floor|peer) ;; *) needs_servers_venv=1 ;; esac; done
[ -n "$needs_servers_venv" ] && venv "$SERVERS_VENV" requirements.txt bench/servers-requirements.txt
case " $SERVERS " in *" floor "*)
  venv "$OUT/floor-venv" "$FLOOR_DIR/requirements.txt" bench/floor-constraints.txt ;; esac
case " $SERVERS " in *" peer "*) venv "$OUT/peer-venv" bench/peer/requirements.txt ;; esac

kind_of() { case $1 in floor|peer) echo "$1" ;; *) echo project ;; esac; }
project_servers() { local s; for s in $SERVERS; do [ "$(kind_of "$s")" != project ] || echo "$s"; done; }

if [[ "$DATABASE_URL" != postgres* ]]; then
  echo "not PostgreSQL: the floor and the peer are left out" >&2
  SERVERS=$(project_servers | xargs)
fi
create_db() {
  local url=$1 name admin
  name=${url##*/}; name=${name%%\?*}; admin="${url%/*}/postgres"
  psql -q "$admin" -tc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || psql -q "$admin" -c "CREATE DATABASE \"$name\""
}

# ---------------------------------------------------------------------------- the project
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-"bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"}
export BETTER_AUTH_SECRET=${BETTER_AUTH_SECRET:-"bench-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"}
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export LOG_LEVEL=${LOG_LEVEL:-INFO}
[[ "$DATABASE_URL" == postgres* ]] && create_db "$DATABASE_URL"
$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0
FIXTURE=$(LOG_LEVEL=WARNING $PY bench/prepare.py)
json() { $PY -c "import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print(','.join(map(str,v)) if isinstance(v,list) else v)" "$FIXTURE" "$1"; }
declare -A READER_TOKEN WRITER_TOKEN READER_IDS WRITER_IDS READER_PREFIX WRITER_PREFIX HEALTH_PATH
READER_TOKEN[project]=$(json reader_token); WRITER_TOKEN[project]=$(json writer_token)
READER_IDS[project]=$(json reader_task_ids); WRITER_IDS[project]=$(json writer_task_ids)
READER_PREFIX[project]=/api; WRITER_PREFIX[project]=/api; HEALTH_PATH[project]=/api/health
echo "SQL statements per request (existing user): $(json queries)"
READER=00000000-0000-4000-8000-00000000be01  # the ids bench/prepare.py uses
WRITER=00000000-0000-4000-8000-00000000be02

# ---------------------------------------------------------------------------- servers
declare -A PORT PID
LOGS=()
stop_all() {
  local pid
  for pid in "${PID[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

server_command() {  # name port -> the command line
  local name=$1 port=$2 sv=$SERVERS_VENV/bin wsgi=todo_project.wsgi:application
  local asgi=todo_project.asgi:application
  case $name in
    project)
      local web
      web=$(sed -n 's/^web:[[:space:]]*//p' Procfile 2>/dev/null | head -1)
      [ -n "$web" ] || { echo "the Procfile has no web: line" >&2; return 1; }
      echo "$web" ;;
    floor)
      echo "$OUT/floor-venv/bin/uvicorn app:app --app-dir $FLOOR_DIR --host 127.0.0.1 --port $port --workers 1 --no-access-log" ;;
    peer)
      echo "$OUT/peer-venv/bin/uvicorn main:app --app-dir bench/peer --host 127.0.0.1 --port $port --workers 1 --no-access-log" ;;
    sync)
      echo "$sv/gunicorn --bind 127.0.0.1:$port --workers $WORKERS --worker-class sync --threads 1 $wsgi" ;;
    gthread:*)
      echo "$sv/gunicorn --bind 127.0.0.1:$port --workers $WORKERS --worker-class gthread --threads ${name#gthread:} $wsgi" ;;
    granian)
      echo "$sv/granian --interface wsgi --host 127.0.0.1 --port $port --workers $WORKERS --no-ws --log-level warning $wsgi" ;;
    granian:*)
      local spec=${name#granian:} threads backpressure
      threads=${spec%%:*}; backpressure=${spec#*:}; [ "$backpressure" = "$spec" ] && backpressure=$threads
      echo "$sv/granian --interface wsgi --host 127.0.0.1 --port $port --workers $WORKERS --blocking-threads $threads --backpressure $backpressure --no-ws --log-level warning $wsgi" ;;
    granian-asgi)
      echo "$sv/granian --interface asgi --host 127.0.0.1 --port $port --workers $WORKERS --no-ws --log-level warning $asgi" ;;
    uvicorn-asgi)
      echo "$sv/uvicorn $asgi --host 127.0.0.1 --port $port --workers $WORKERS --no-access-log --lifespan off" ;;
    *) echo "unknown server: $name" >&2; return 1 ;;
  esac
}

start_server() {  # name port
  local name=$1 port=$2 log cmd
  log="$OUT/server-${name//:/-}.log"
  LOGS+=("$log")
  cmd=$(server_command "$name" "$port")
  echo "  $name :$port  $cmd" >&2
  case $(kind_of "$name") in
    floor) DATABASE_URL=$FLOOR_DATABASE_URL setsid bash -c "exec $cmd" >"$log" 2>&1 & ;;
    peer) DATABASE_URL=${PEER_DATABASE_URL/#postgres:/postgresql:} setsid bash -c "exec $cmd" >"$log" 2>&1 & ;;
    *) # Under ASGI Django runs each request's sync code in a thread of its own: persistent
       # connections would pile up, so Django's docs say to turn them off there.
       local age=${DB_CONN_MAX_AGE:-600}; case $name in *-asgi) age=0 ;; esac
       DB_CONN_MAX_AGE=$age PATH="$ROOT/.venv/bin:$PATH" PORT=$port WEB_HOST=127.0.0.1 \
         WEB_CONCURRENCY=$WORKERS WEB_THREADS=${THREADS:-${WEB_THREADS:-4}} setsid bash -c "exec $cmd" >"$log" 2>&1 & ;;
  esac
  PID[$name]=$!
  PORT[$name]=$port
}

wait_for() {  # name: until the server answers HTTP at all
  local name=$1 code
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}/" || true)
    [ "$code" != 000 ] && return 0
    kill -0 "${PID[$name]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "$name did not start:" >&2; cat "$OUT/server-${name//:/-}.log" >&2; exit 1
}

seed_sql() {  # kind table: fresh tasks for the reader and the writer, like bench/prepare.py
  local kind=$1 table=$2 url
  url=$([ "$kind" = floor ] && echo "$FLOOR_DATABASE_URL" || echo "$PEER_DATABASE_URL")
  psql -q "$url" -c "TRUNCATE $table RESTART IDENTITY"
  local user ids
  for user in "$READER" "$WRITER"; do
    ids=$(psql -qAt "$url" -c "INSERT INTO $table (user_id, title, description, completed, created_at, updated_at)
      SELECT '$user', 'Task ' || i, repeat('Description of task ' || i, 3), false, now(), now()
      FROM generate_series(0, 99) AS i RETURNING id" | paste -sd, -)
    if [ "$user" = "$READER" ]; then READER_IDS[$kind]=$ids; else WRITER_IDS[$kind]=$ids; fi
  done
  local token='import jwt, os, sys, time; print(jwt.encode({"sub": sys.argv[1], "iat": int(time.time()), "exp": int(time.time()) + 86400}, os.environ["BETTER_AUTH_SECRET"], algorithm="HS256"))'
  READER_TOKEN[$kind]=$($PY -c "$token" "$READER"); WRITER_TOKEN[$kind]=$($PY -c "$token" "$WRITER")
  READER_PREFIX[$kind]=/api/$READER; WRITER_PREFIX[$kind]=/api/$WRITER
}

echo "starting servers (workers per project server: $WORKERS):" >&2
port=$BASE_PORT
for s in $SERVERS; do
  case $(kind_of "$s") in floor) create_db "$FLOOR_DATABASE_URL" ;; peer) create_db "$PEER_DATABASE_URL" ;; esac
  start_server "$s" "$port"; port=$((port + 1))
done
for s in $SERVERS; do wait_for "$s"; done
case " $SERVERS " in *" floor "*) seed_sql floor tasks ;; esac
case " $SERVERS " in *" peer "*) seed_sql peer task; HEALTH_PATH[peer]=/health ;; esac

PROJECT_SERVER=$(project_servers | sed -n 1p)
FILTERED=""
if [ -n "$PROJECT_SERVER" ]; then
  probe() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${READER_TOKEN[project]}" \
    "http://127.0.0.1:${PORT[$PROJECT_SERVER]}/api/tasks?$1"; }
  [ "$(probe 'completed=false&ordering=-priority,due_at')" = 200 ] && [ "$(probe 'ordering=no_such_field')" = 422 ] && FILTERED=1
fi
[ -z "$FILTERED" ] && echo "filtered: the project does not validate ordering yet; scenario skipped" >&2

runs() {  # server scenario: whether this server runs this scenario
  local kind; kind=$(kind_of "$1")
  case $2 in
    filtered) [ "$kind" = project ] && [ -n "$FILTERED" ] ;;
    health) [ "$kind" != floor ] ;;
    *) true ;;
  esac
}

wrk_run() {  # server scenario conns seconds -> the RESULT line's fields
  local name=$1 scenario=$2 conns=$3 seconds=$4 kind token ids prefix
  kind=$(kind_of "$name")
  case $scenario in
    list|get|filtered|health) token=${READER_TOKEN[$kind]}; ids=${READER_IDS[$kind]}; prefix=${READER_PREFIX[$kind]} ;;
    *) token=${WRITER_TOKEN[$kind]}; ids=${WRITER_IDS[$kind]}; prefix=${WRITER_PREFIX[$kind]} ;;
  esac
  SCENARIO=$scenario TOKEN=$token IDS=$ids PREFIX=$prefix HEALTH=${HEALTH_PATH[$kind]:-/health} \
    wrk -t1 -c"$conns" -d"${seconds}s" --timeout 5s -s bench/scenario.lua \
    "http://127.0.0.1:${PORT[$name]}" | sed -n 's/^RESULT //p'
}

# ---------------------------------------------------------------------------- measurements
echo "warm-up: ${WARMUP}s per server and scenario" >&2
for s in $SERVERS; do
  for scenario in $SCENARIOS; do runs "$s" "$scenario" && wrk_run "$s" "$scenario" 16 "$WARMUP" >/dev/null; done
done

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
echo "database: PostgreSQL? $([[ "$DATABASE_URL" == postgres* ]] && echo yes || echo no)  duration: ${DURATION}s x $ROUNDS rounds  $(date -u +%FT%TZ)"
printf '%-14s %-8s %5s %5s %8s %8s %8s %8s %8s %7s\n' server scenario conns round "req/s" p50ms p95ms p99ms maxms errors
for conns in $CONNECTIONS; do
  for scenario in $SCENARIOS; do
    for round in $(seq 1 "$ROUNDS"); do
      order=$SERVERS; [ $((round % 2)) = 0 ] && order=$(echo "$SERVERS" | tr ' ' '\n' | tac | xargs)
      for s in $order; do
        runs "$s" "$scenario" || continue
        fields=$(wrk_run "$s" "$scenario" "$conns" "$DURATION")
        [ -n "$fields" ] || { echo "wrk gave no result for $s $scenario" >&2; continue; }
        eval "$fields"
        printf '%-14s %-8s %5s %5s %8s %8s %8s %8s %8s %7s\n' "$s" "$scenario" "$conns" "$round" "$rps" "$p50" "$p95" "$p99" "$max" "$errors"
        printf '{"server":"%s","scenario":"%s","conns":%s,"round":%s,"rps":%s,"mean":%s,"p50":%s,"p90":%s,"p95":%s,"p99":%s,"max":%s,"requests":%s,"errors":%s,"non2xx":%s,"timeouts":%s}\n' \
          "$s" "$scenario" "$conns" "$round" "$rps" "$mean" "$p50" "$p90" "$p95" "$p99" "$max" "$requests" "$errors" "$non2xx" "$timeouts" >>"$RESULTS"
      done
    done
  done
done
echo
python3 bench/report.py "$RESULTS"
if grep -h -E '"(level|levelname)": ?"ERROR"|Traceback|WORKER TIMEOUT' "${LOGS[@]}" >/dev/null 2>&1; then
  echo "note: errors in the server logs (bench/out/server-*.log)" >&2
fi

# ---------------------------------------------------------------------------- profile
if [ -n "$PROFILE" ]; then
  target=${PROFILE_SERVER:-$PROJECT_SERVER}
  for scenario in $PROFILE; do
    raw="$OUT/profile-${target//:/-}-$scenario-${PROFILE_MODE:-gil}.txt"
    # gil: only the thread holding the GIL, i.e. where the process's CPU goes (with several
    # threads the others mostly wait for PostgreSQL); wall: every thread, waits included.
    gil=(); [ "${PROFILE_MODE:-gil}" = gil ] && gil=(--gil)
    "$SERVERS_VENV/bin/py-spy" record --pid "${PID[$target]}" --subprocesses --rate 250 "${gil[@]}" \
      --duration "$DURATION" --format raw --output "$raw" >/dev/null 2>&1 &
    spy=$!
    sleep 1  # py-spy attaches
    wrk_run "$target" "$scenario" 16 "$((DURATION - 1))" >/dev/null
    wait "$spy" || true
    echo; echo "profile of $target, $scenario, 16 connections (py-spy, ${PROFILE_MODE:-gil}, $raw):"
    python3 bench/profile_summary.py "$raw"
  done
fi
