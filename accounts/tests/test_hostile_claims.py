"""Lazy users from tokens whose `name`/`email` claims no database can store (NUL, lone surrogates).

The token is valid (signed by a trusted issuer), so the request succeeds; the claim that cannot
be stored is left out, as an unusable email already was. Before the fix these were 500s: NUL on
PostgreSQL, lone surrogates on every database.
"""

import pytest

from accounts.models import User
from testing.auth import access_claims, sign

pytestmark = pytest.mark.django_db

UNSTORABLE = ["a\x00b", "\x00", "\ud800", "x\udc00y"]


def _me(api_client, user_id, **claims):
    token = sign(access_claims(user_id, **claims))
    return api_client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("name", UNSTORABLE)
def test_a_name_claim_that_cannot_be_stored_creates_the_user_without_a_name(
    api_client, new_user_id, name
):
    response = _me(api_client, new_user_id, name=name, email="named@example.com")

    assert response.status_code == 200
    assert response.json()["data"]["name"] == ""
    user = User.objects.get(pk=new_user_id)
    assert (user.name, user.email) == ("", "named@example.com")


@pytest.mark.parametrize("email", ["a\x00b@example.com", "a@example.com\x00", "x@\ud800.com"])
def test_an_email_claim_that_cannot_be_stored_creates_the_user_without_email(
    api_client, new_user_id, email
):
    response = _me(api_client, new_user_id, email=email, name="Kept")

    assert response.status_code == 200
    assert response.json()["data"]["email"] is None
    user = User.objects.get(pk=new_user_id)
    assert (user.name, user.email) == ("Kept", None)


def test_the_user_created_from_such_a_token_keeps_working(api_client, new_user_id):
    assert _me(api_client, new_user_id, name="\x00").status_code == 200

    response = _me(api_client, new_user_id, name="\x00")

    assert response.status_code == 200
    assert User.objects.filter(pk=new_user_id).count() == 1
