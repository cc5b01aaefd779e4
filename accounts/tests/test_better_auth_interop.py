"""Interop with the real `better-auth` npm package (interop/better_auth): its JWTs work here.

The Node script signs a user up with Better Auth (jwt() plugin), gets a JWT from the plugin and
keeps serving the JWKS on loopback; this API verifies that token through the JWKS. Users with
Better Auth's own default ids (32 random letters and digits) and with UUIDs
(`generateId: "uuid"`) both work. The shared-secret case signs HS256 with `jose` (Better
Auth's own JWT library) as a frontend holding BETTER_AUTH_SECRET does.
"""

import os
import subprocess
import time
import uuid

import pytest
from django.conf import settings

from accounts.models import User
from tasks.models import Task
from testing.auth import bearer
from testing.better_auth import INTEROP, NODE, better_auth, require_node

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=["EdDSA", "ES256", "RS256"])
def issued(request):
    """A running Better Auth (memory adapter, UUID ids) and the JWT it issued to a new user."""
    with better_auth(settings.BETTER_AUTH_SECRET, alg=request.param) as issuer:
        yield issuer.info


@pytest.fixture(scope="module")
def default_ids():
    """Better Auth as configured out of the box: its own 32-character user ids."""
    with better_auth(settings.BETTER_AUTH_SECRET, ids="default") as issuer:
        yield issuer


def configure(settings, info: dict):
    """This API configured the way the README says: JWKS URL, issuer and audience."""
    settings.JWT_JWKS_URL = info["jwks_url"]
    settings.JWT_ISSUER = info["issuer"]
    settings.JWT_AUDIENCE = info["audience"]
    return settings


@pytest.fixture
def better_auth_settings(settings, issued):
    return configure(settings, issued)


def test_the_token_is_a_real_better_auth_jwt(issued):
    assert issued["alg"] in ("EdDSA", "ES256", "RS256")
    assert issued["issuer"] == issued["audience"] == issued["base_url"]
    assert issued["jwks_url"] == f"{issued['base_url']}/api/auth/jwks"
    assert str(uuid.UUID(issued["user_id"])) == issued["user_id"]


def test_better_auth_jwt_creates_the_user_with_its_id_and_email(issued, better_auth_settings):
    response = bearer(issued["token"]).get("/api/auth/me")

    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=issued["user_id"])
    assert user.email == issued["email"]
    assert user.name == "Interop User"
    assert response.json()["data"]["id"] == issued["user_id"]
    assert response.json()["data"]["email"] == issued["email"]


def test_better_auth_jwt_manages_only_its_own_tasks(issued, better_auth_settings, other_user):
    Task.objects.create(user=other_user, title="Not yours")
    client = bearer(issued["token"])

    created = client.post("/api/tasks", {"title": "From Better Auth"}, format="json")
    listed = client.get("/api/tasks")
    mounted = client.get(f"/api/{issued['user_id']}/tasks")

    assert created.status_code == 201, created.json()
    assert created.json()["data"]["user_id"] == issued["user_id"]
    assert [t["title"] for t in listed.json()["data"]] == ["From Better Auth"]
    assert listed.json()["meta"]["count"] == 1
    assert mounted.json()["data"] == listed.json()["data"]
    task = Task.objects.get(title="From Better Auth")
    assert task.user_id == issued["user_id"]


def test_better_auth_jwt_is_refused_for_another_issuer(issued, better_auth_settings):
    better_auth_settings.JWT_ISSUER = "https://someone-else.example.com"

    response = bearer(issued["token"]).get("/api/tasks")

    assert response.status_code == 401
    assert response.json()["error"]["details"] == {"reason": "wrong_issuer"}
    assert response.json()["error"]["message"] == (
        "Token has the wrong issuer: expected 'https://someone-else.example.com', "
        f"got '{issued['issuer']}'."
    )


def test_better_auth_jwt_is_refused_without_a_jwks_configured(issued, settings):
    settings.JWT_JWKS_URL = None

    response = bearer(issued["token"]).get("/api/tasks")

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
    user_id = str(uuid.uuid4())
    Task.objects.create(user=other_user, title="Not yours")
    client = bearer(jose_hs256(user_id, "frontend@example.com"))
    started = time.time()

    created = client.post("/api/tasks", {"title": "Signed by jose"}, format="json")
    listed = client.get("/api/tasks")

    assert created.status_code == 201, created.json()
    assert [t["title"] for t in listed.json()["data"]] == ["Signed by jose"]
    user = User.objects.get(pk=user_id)
    assert user.email == "frontend@example.com"
    assert user.created_at.timestamp() >= started - 1


def test_shared_secret_token_with_better_auths_default_id_works():
    token = jose_hs256("k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", "default-id@example.com")

    response = bearer(token).post("/api/tasks", {"title": "Default id"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["user_id"] == "k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG"
    assert User.objects.get().email == "default-id@example.com"
