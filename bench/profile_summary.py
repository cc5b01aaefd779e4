"""Where a request's time goes, from a py-spy `--format raw` profile (collapsed stacks).

    python3 bench/profile_summary.py bench/out/profile-<server>-<scenario>.txt

Only samples of the worker process count (not the master's), and not those of idle threads.
Each sample is given one purpose, the deepest of the markers below on its stack (authentication
inside the view is authentication), and one kind: waiting for PostgreSQL, Django building SQL,
turning rows into Python, or other Python. Shares are of the worker's samples; the server's own
work outside Python (granian's Rust, the kernel) is not sampled. Standard library only.
"""

import sys
from collections import Counter

# (marker in a frame, purpose), outermost first: the deepest one on a stack wins.
PURPOSES = [
    ("WSGIHandler.__call__", "middleware and Django's handler"),
    ("ASGIHandler", "middleware and Django's handler"),
    ("BaseHandler._get_response", "DRF dispatch, permissions, throttles"),
    ("RequestIDMiddleware._log", "access log line"),
    ("TaskViewSet.", "view: query and pagination"),
    ("paginate_queryset", "view: query and pagination"),
    ("Request._authenticate", "authentication: token, user lookup"),
    ("Serializer.data", "serializer"),
    ("Serializer.to_representation", "serializer"),
    ("finalize_response", "rendering JSON"),
    ("rendered_content", "rendering JSON"),
    ("Renderer.render", "rendering JSON"),
]
KINDS = [
    ("psycopg/", "PostgreSQL (send, wait, receive)"),
    ("results_iter", "rows to Python"),
    ("apply_converters", "rows to Python"),
    ("ModelIterable.__iter__", "rows to Python"),
    ("sql/compiler.py", "building SQL"),
    ("sql/query.py", "building SQL"),
    ("sql/where.py", "building SQL"),
    ("models/lookups.py", "building SQL"),
    ("models/expressions.py", "building SQL"),
]
SERVER = "server's Python (HTTP parsing, writing)"
# A thread parked in one of these is idle (waiting for a connection or for work), not serving.
IDLE = ("threading.py", "selectors.py", "Socket.accept", "socket.py", "time.sleep", "select (")


def classify(frames: list[str]) -> tuple[str, str]:
    purpose = SERVER
    for frame in frames:
        for marker, name in PURPOSES:
            if marker in frame:
                purpose = name
    kind = "other Python"
    for frame in reversed(frames):  # leaf first: the innermost kind marker wins
        hit = next((name for marker, name in KINDS if marker in frame), None)
        if hit:
            kind = hit
            break
    return purpose, kind


def summarise(path: str) -> str:
    by_purpose: Counter = Counter()
    by_kind: Counter = Counter()
    total = 0
    with open(path) as file:
        lines = file.readlines()
    # Without `--subprocesses` (bench/instructions.py --profile: one process, no server), every
    # sample inside Django's WSGI handler counts.
    in_process = not any(";process " in line or line.startswith("process ") for line in lines)
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        processes = sum(frame.startswith("process ") for frame in frames)
        if in_process:
            if "WSGIHandler.__call__" not in stack:
                continue
        elif processes < 2:  # the master process (gunicorn's arbiter, granian's supervisor)
            continue
        if len(frames) == processes or any(idle in frames[-1] for idle in IDLE):
            continue  # no Python running (granian's Rust threads) or an idle thread
        purpose, kind = classify(frames)
        by_purpose[purpose] += int(count)
        by_kind[kind] += int(count)
        total += int(count)
    if not total:
        return "no worker samples"
    lines = [f"{total} samples of the worker"]
    for title, counter in (("by purpose", by_purpose), ("by kind", by_kind)):
        lines.append(f"  {title}:")
        lines += [f"    {100 * n / total:5.1f} %  {name}" for name, n in counter.most_common()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(sys.argv[1]))
