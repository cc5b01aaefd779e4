"""Django's auth and messages middleware do nothing for the API (bearer tokens) and everything
for the admin (api/middleware.py); sessions and CSRF stay Django's own."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_api_request_gets_no_cookie_no_session_user_and_no_messages(auth_client):
    response = auth_client.get("/api/tasks")

    assert response.status_code == 200
    assert response.cookies == {}
    assert not hasattr(response.wsgi_request, "_messages")
    assert response.wsgi_request.user.is_authenticated  # DRF's, from the bearer token
    assert response["X-Request-ID"]


def test_an_api_request_with_a_session_cookie_is_still_anonymous(admin_client):
    # The admin's session cookie grants nothing under /api/: only a bearer token does.
    response = admin_client.get("/api/tasks")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AUTH_REQUIRED"


def test_the_admin_sign_in_still_sets_and_enforces_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    page = client.get("/admin/login/")
    refused = client.post("/admin/login/", {"username": "x@example.com", "password": "x"})

    assert page.status_code == 200
    assert "csrftoken" in page.cookies
    assert refused.status_code == 403


def test_the_admin_still_has_its_session_user_and_messages(admin_client, admin_user):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert response.wsgi_request.user == admin_user
    assert hasattr(response.wsgi_request, "_messages")
