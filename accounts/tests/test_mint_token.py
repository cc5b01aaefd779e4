"""`manage.py mint_token <email>` / `--id <user id>`: a real access token for an existing,
new-by-email or new-by-id user."""

import os
import subprocess
import sys
import uuid
from io import StringIO

import jwt
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.authentication import verify_access_token
from accounts.factories import UserFactory
from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_mode(settings):
    settings.DEBUG = True


def mint(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("mint_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_mint_token_for_existing_email_is_a_valid_access_token(debug_mode):
    user = UserFactory(email="alice@example.com", name="Alice")

    token, err = mint("Alice@Example.com")

    claims = verify_access_token(token)
    assert claims["sub"] == str(user.pk)
    assert claims["email"] == "alice@example.com"
    assert claims["name"] == "Alice"
    assert claims["token_type"] == "access"
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == settings.JWT_ACCESS_TTL_SECONDS
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert err == ""
    assert User.objects.count() == 1


def test_mint_token_for_new_email_creates_a_passwordless_user(debug_mode):
    token, err = mint("bob@example.com", "--name", "Bob")

    user = User.objects.get(email="bob@example.com")
    assert user.name == "Bob"
    assert user.has_usable_password() is False
    assert verify_access_token(token)["sub"] == str(user.pk)
    assert "Created user bob@example.com" in err


def test_mint_token_for_new_uuid_creates_that_user_in_lower_case(debug_mode):
    user_id = str(uuid.uuid4())

    token, _ = mint("--id", user_id.upper())

    user = User.objects.get(pk=user_id)
    assert user.email is None
    claims = verify_access_token(token)
    assert claims["sub"] == user_id
    assert "email" not in claims


@pytest.mark.parametrize("user_id", ["k3Yq9XwJ2mP7vR4tL8nB1cZ6hF0dS5aG", "auth0|alice@example.com"])
def test_mint_token_by_id_takes_any_id_even_one_that_looks_like_an_email(debug_mode, user_id):
    token, err = mint("--id", user_id, "--name", "Ida")

    user = User.objects.get(pk=user_id)
    assert (user.email, user.name) == (None, "Ida")
    assert verify_access_token(token)["sub"] == user_id
    assert f"(id {user_id})" in err


def test_mint_token_for_existing_id_creates_nobody_and_renames_nobody(debug_mode):
    user = UserFactory(name="Kept")

    token, err = mint("--id", str(user.pk), "--name", "Other")

    assert verify_access_token(token)["sub"] == str(user.pk)
    assert list(User.objects.values_list("name", flat=True)) == ["Kept"]
    assert err == ""


@pytest.mark.parametrize("user_id", ["a/b", "x" * 256, "tab\tid"])
def test_mint_token_refuses_an_id_no_token_could_carry(debug_mode, user_id):
    with pytest.raises(CommandError, match="cannot be a user id"):
        mint("--id", user_id)

    assert not User.objects.exists()


@pytest.mark.parametrize("args", [(), ("alice@example.com", "--id", "x")], ids=["none", "both"])
def test_mint_token_needs_exactly_one_of_email_and_id(debug_mode, args):
    with pytest.raises(CommandError, match="either an email or --id"):
        mint(*args)


def test_a_uuid_given_as_the_email_is_refused_with_a_hint(debug_mode):
    with pytest.raises(CommandError, match="give a user id with --id"):
        mint(str(uuid.uuid4()))

    assert not User.objects.exists()


def test_minted_token_authenticates_against_the_api(debug_mode, api_client):
    token, _ = mint("carol@example.com")

    response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_mint_token_refuses_in_production_mode_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="production mode"):
        mint("dave@example.com")

    assert not User.objects.filter(email="dave@example.com").exists()


def test_mint_token_with_force_works_in_production_mode(settings):
    settings.DEBUG = False

    token, _ = mint("dave@example.com", "--force")

    assert verify_access_token(token)["email"] == "dave@example.com"


def test_mint_token_rejects_an_invalid_email(debug_mode):
    with pytest.raises(CommandError, match="Cannot create a user"):
        mint("not an email@")

    assert User.objects.count() == 0


def test_mint_token_refuses_an_inactive_user(debug_mode):
    UserFactory(email="gone@example.com", is_active=False)

    with pytest.raises(CommandError, match="inactive"):
        mint("gone@example.com")


def test_mint_token_sets_issuer_and_audience_when_configured(tmp_path):
    # simplejwt reads iss/aud once per process, so this runs the real command in a fresh one.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mint.sqlite3'}",
        "JWT_ISSUER": "https://issuer.example",
        "JWT_AUDIENCE": "todo-api",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)

    done = subprocess.run(
        [*manage, "mint_token", "--force", "erin@example.com"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    claims = jwt.decode(
        done.stdout.strip(),
        settings.BETTER_AUTH_SECRET,
        algorithms=["HS256"],
        issuer="https://issuer.example",
        audience="todo-api",
    )
    assert claims["email"] == "erin@example.com"
    assert claims["token_type"] == "access"
