"""Interop with the real `better-auth` npm package (interop/better_auth): its JWTs work here.

The Node script signs a user up with Better Auth (UUID ids, jwt() plugin), gets a JWT from the
plugin and keeps serving the JWKS on loopback; this API verifies that token through the JWKS.
The shared-secret case signs HS256 with `jose` (Better Auth's own JWT library) as a frontend
holding BETTER_AUTH_SECRET does.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import User
from tasks.models import Task
from testing.auth import bearer
from testing.environment import require

pytestmark = pytest.mark.django_db

INTEROP = Path(__file__).resolve().parents[2] / "interop" / "better_auth"
NODE = shutil.which("node")


def require_node() -> None:
    require(NODE is not None, "needs Node.js 20+ (node) for the Better Auth interop test")
    require(
        (INTEROP / "node_modules" / "better-auth").is_dir(),
        "needs the interop packages: (cd interop/better_auth && npm ci)",
    )


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else ""


@pytest.fixture(scope="module", params=["EdDSA", "ES256", "RS256"])
def better_auth(request):
    """A running Better Auth (memory adapter, jwt() plugin) and the JWT it issued to a new user."""
    require_node()
    env = {**os.environ, "BETTER_AUTH_SECRET": settings.BETTER_AUTH_SECRET}
    env["JWT_ALG"] = request.param
    env["BA_EMAIL"] = f"interop-{request.param.lower()}@example.com"
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
            line = _first_line(process, timeout=60)
            if not line:
                stderr.seek(0)
                pytest.fail(f"issue_token.mjs printed nothing:\n{stderr.read()}")
            yield json.loads(line)
        finally:
            process.stdin.close()  # the script serves its JWKS until stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def better_auth_settings(settings, better_auth):
    """This API configured the way the README says: JWKS URL, issuer and audience."""
    settings.JWT_JWKS_URL = better_auth["jwks_url"]
    settings.JWT_ISSUER = better_auth["issuer"]
    settings.JWT_AUDIENCE = better_auth["audience"]
    return settings


def test_the_token_is_a_real_better_auth_jwt(better_auth):
    assert better_auth["alg"] in ("EdDSA", "ES256", "RS256")
    assert better_auth["issuer"] == better_auth["audience"] == better_auth["base_url"]
    assert better_auth["jwks_url"] == f"{better_auth['base_url']}/api/auth/jwks"
    uuid.UUID(better_auth["user_id"])  # advanced.database.generateId: "uuid"


def test_better_auth_jwt_creates_the_user_with_its_id_and_email(better_auth, better_auth_settings):
    response = bearer(better_auth["token"]).get("/api/auth/me")

    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=uuid.UUID(better_auth["user_id"]))
    assert user.email == better_auth["email"]
    assert user.name == "Interop User"
    assert response.json()["data"]["id"] == better_auth["user_id"]
    assert response.json()["data"]["email"] == better_auth["email"]


def test_better_auth_jwt_manages_only_its_own_tasks(better_auth, better_auth_settings, other_user):
    Task.objects.create(user=other_user, title="Not yours")
    client = bearer(better_auth["token"])

    created = client.post("/api/tasks", {"title": "From Better Auth"}, format="json")
    listed = client.get("/api/tasks")
    mounted = client.get(f"/api/{better_auth['user_id']}/tasks")

    assert created.status_code == 201, created.json()
    assert created.json()["data"]["user_id"] == better_auth["user_id"]
    assert [t["title"] for t in listed.json()["data"]] == ["From Better Auth"]
    assert listed.json()["meta"]["count"] == 1
    assert mounted.json()["data"] == listed.json()["data"]
    task = Task.objects.get(title="From Better Auth")
    assert task.user_id == uuid.UUID(better_auth["user_id"])


def test_better_auth_jwt_is_refused_for_another_issuer(better_auth, better_auth_settings):
    better_auth_settings.JWT_ISSUER = "https://someone-else.example.com"

    response = bearer(better_auth["token"]).get("/api/tasks")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


def test_better_auth_jwt_is_refused_without_a_jwks_configured(better_auth, settings):
    settings.JWT_JWKS_URL = None

    response = bearer(better_auth["token"]).get("/api/tasks")

    assert response.status_code == 401
    assert not User.objects.exists()


# --- shared secret: HS256 signed by jose, as a Next.js frontend with Better Auth does ----------

SIGN_HS256 = """
import { SignJWT } from "jose";
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ email: process.env.CLAIM_EMAIL })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setSubject(process.env.CLAIM_SUB)
  .setIssuedAt(now)
  .setExpirationTime(now + 900)
  .sign(new TextEncoder().encode(process.env.BETTER_AUTH_SECRET));
process.stdout.write(token);
"""


def jose_hs256(sub: str, email: str) -> str:
    require_node()
    env = {
        **os.environ,
        "BETTER_AUTH_SECRET": settings.BETTER_AUTH_SECRET,
        "CLAIM_SUB": sub,
        "CLAIM_EMAIL": email,
    }
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", SIGN_HS256],
        cwd=INTEROP,  # resolves `jose` from interop/better_auth/node_modules
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.strip()


def test_shared_secret_token_from_jose_manages_own_tasks(other_user):
    user_id = uuid.uuid4()
    Task.objects.create(user=other_user, title="Not yours")
    client = bearer(jose_hs256(str(user_id), "frontend@example.com"))
    started = time.time()

    created = client.post("/api/tasks", {"title": "Signed by jose"}, format="json")
    listed = client.get("/api/tasks")

    assert created.status_code == 201, created.json()
    assert [t["title"] for t in listed.json()["data"]] == ["Signed by jose"]
    user = User.objects.get(pk=user_id)
    assert user.email == "frontend@example.com"
    assert user.created_at.timestamp() >= started - 1


def test_shared_secret_token_with_better_auths_default_id_is_refused():
    # Without generateId: "uuid" Better Auth ids are 32 random characters, not UUIDs.
    token = jose_hs256("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", "default-id@example.com")

    response = bearer(token).get("/api/tasks")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"
    assert "UUID" in response.json()["error"]["message"]
    assert not User.objects.exists()
