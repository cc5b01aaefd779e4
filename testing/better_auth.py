"""The real `better-auth` package as a token issuer (interop/better_auth/issue_token.mjs in Node).

It signs a user up, prints what a test needs (its base URL, JWKS URL, user id, a JWT) and keeps
serving its JWKS; `command()` asks it for a fresh token, a new signing key (rotation), or to
stop and resume listening (an issuer outage).
"""

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .environment import require

INTEROP = Path(__file__).resolve().parent.parent / "interop" / "better_auth"
NODE = shutil.which("node")


def require_node() -> None:
    require(NODE is not None, "needs Node.js 20+ (node) for the Better Auth interop tests")
    require(
        (INTEROP / "node_modules" / "better-auth").is_dir(),
        "needs the interop packages: (cd interop/better_auth && npm ci)",
    )


class BetterAuth:
    """A running issue_token.mjs: `info` is its first line; `command(name)` the answer to one."""

    def __init__(self, process: subprocess.Popen, stderr):
        self.process, self._stderr = process, stderr
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.info = self._next_line(timeout=60)

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)

    def _next_line(self, timeout: float) -> dict:
        try:
            return json.loads(self._lines.get(timeout=timeout))
        except queue.Empty:
            self._stderr.seek(0)
            raise RuntimeError(f"issue_token.mjs did not answer:\n{self._stderr.read()}") from None

    def command(self, name: str) -> dict:
        """`token` {token, kid, alg}, `rotate` {kid}, `down`, `up` (see the script's header)."""
        self.process.stdin.write(f"{name}\n")
        self.process.stdin.flush()
        answer = self._next_line(timeout=30)
        if "error" in answer:
            raise RuntimeError(f"{name}: {answer['error']}")
        return answer


@contextmanager
def better_auth(secret: str, *, alg: str = "EdDSA", ids: str = "uuid") -> Iterator[BetterAuth]:
    """Better Auth with the jwt() plugin signing with `alg`; `ids` "uuid" (generateId: "uuid")
    or "default" (Better Auth's own 32-character ids). Skipped without Node (failed in CI)."""
    require_node()
    env = {**os.environ, "BETTER_AUTH_SECRET": secret, "JWT_ALG": alg, "BA_IDS": ids}
    env["BA_EMAIL"] = f"interop-{alg.lower()}-{ids}@example.com"
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [NODE, "issue_token.mjs"],
            cwd=INTEROP,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            yield BetterAuth(process, stderr)
        finally:
            process.stdin.close()  # the script serves until stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
