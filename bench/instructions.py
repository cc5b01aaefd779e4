"""CPU instructions per request, in process, counted by valgrind's callgrind: a measure of the
project's own cost that other processes on the machine do not disturb (wall-clock benchmarks on
a shared machine do).

    bench/instructions.py [requests]            # every scenario; needs valgrind and gcc
    bench/instructions.py --profile SCENARIO [seconds]   # the same loop for py-spy, no valgrind

Each scenario (list of 100, filtered list, get, toggle, create; the tokens and data of
bench/prepare.py) runs as WSGI calls of `todo_project.wsgi.application`, the callable the
Procfile's server runs, with production settings (DEBUG off, the access log on, to /dev/null).
After a warm-up of 30 requests per scenario, callgrind counts the instructions of `requests`
(default 50) more, and the figure is the instructions of the Python process per request: Django,
DRF, the project, psycopg's client side; PostgreSQL's own work is in another process and not
counted. PYTHONHASHSEED is fixed, so a run repeats to within about 0.1 %.
Needs DATABASE_URL (PostgreSQL: what production runs) and the bench variables of run.sh.
"""

import ctypes
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MARKS = OUT / "callgrind_marks.so"
WARMUP = 30
SCENARIOS = ("list", "filtered", "get", "toggle", "create")
FILTERED = "completed=false&ordering=-priority,due_at"


def _fixture() -> dict:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "prepare.py")],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def _calls(fixture: dict):
    """scenario -> a function that makes one request and returns its status."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
    from todo_project.wsgi import application

    reader = f"Bearer {fixture['reader_token']}"
    writer = f"Bearer {fixture['writer_token']}"
    read_ids, write_ids = fixture["reader_task_ids"], fixture["writer_task_ids"]
    counter = {"n": 0}

    def call(method: str, path: str, token: str, query: str = "", body: bytes = b"") -> str:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_AUTHORIZATION": token, "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json" if body else "", "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }  # fmt: skip
        statuses = []
        result = application(environ, lambda status, headers, exc=None: statuses.append(status))
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return statuses[0]

    def nth(ids):
        counter["n"] += 1
        return ids[counter["n"] % len(ids)]

    return {
        "list": lambda: call("GET", "/api/tasks", reader),
        "filtered": lambda: call("GET", "/api/tasks", reader, FILTERED),
        "get": lambda: call("GET", f"/api/tasks/{nth(read_ids)}", reader),
        "toggle": lambda: call("PATCH", f"/api/tasks/{nth(write_ids)}/complete", writer),
        "create": lambda: call(
            "POST", "/api/tasks", writer, body=b'{"title": "bench", "description": "in process"}'
        ),
    }


def run(requests: int) -> None:
    """Inside valgrind: warm up, then count `requests` of each scenario."""
    fixture = json.loads(os.environ["BENCH_FIXTURE"])
    sys.stdout = open(os.devnull, "w")  # the access log lines  # noqa: SIM115
    calls = _calls(fixture)
    marks = ctypes.CDLL(str(MARKS))
    for name in SCENARIOS:
        for _ in range(WARMUP):
            status = calls[name]()
            assert status[0] == "2", (name, status)
        marks.marks_start()
        for _ in range(requests):
            calls[name]()
        marks.marks_stop(name.encode())


def profile(scenario: str, seconds: float) -> None:
    """Without valgrind: the scenario in a loop for `seconds`, for a sampling profiler."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    call = _calls(_fixture())[scenario]
    for _ in range(WARMUP):
        call()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        call()


def main(requests: int) -> None:
    if not MARKS.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(
            ["gcc", "-O2", "-shared", "-fPIC", "-o", str(MARKS),
             str(ROOT / "bench" / "callgrind_marks.c")], check=True,
        )  # fmt: skip
    fixture = _fixture()
    for old in OUT.glob("callgrind.out.*"):
        old.unlink()
    env = {**os.environ, "PYTHONHASHSEED": "0", "BENCH_FIXTURE": json.dumps(fixture)}
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         f"--callgrind-out-file={OUT}/callgrind.out.%p", sys.executable, __file__, "--run",
         str(requests)], env=env, check=True, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    totals = {}
    for dump in OUT.glob("callgrind.out.*"):
        text = dump.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if label and total and label.group(1) in SCENARIOS:
            totals[label.group(1)] = int(total.group(1))
    print(f"instructions per request (callgrind, in process, {requests} requests each):")
    for name in SCENARIOS:
        print(f"  {name:9} {totals[name] / requests / 1e6:8.3f} M")
    print("queries per request:", fixture["queries"])


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--run"]:
        run(int(args[1]))
    elif args[:1] == ["--profile"]:
        profile(args[1], float(args[2]) if len(args) > 2 else 10)
    else:
        main(int(args[0]) if args else 50)
