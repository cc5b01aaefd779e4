"""The addresses a newcomer types first: `/`, `/api`, `/admin` (without the slash)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_root_is_a_json_index_of_where_things_are(api_client):
    response = api_client.get("/", HTTP_X_REQUEST_ID="root-1")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Request-ID"] == "root-1"
    assert response.json() == {
        "success": True,
        "data": {
            "docs": "http://testserver/api/docs",
            "schema": "http://testserver/api/schema",
            "health": "http://testserver/api/health",
            "admin": "http://testserver/admin/",
        },
        "message": "Todo API",
    }


def test_the_root_needs_no_token_and_ignores_a_bad_one(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_the_bare_api_prefix_is_a_404_envelope_with_or_without_the_slash(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "No API endpoint matches this path."},
    }


def test_an_unknown_path_outside_the_api_is_still_django_s_page(api_client):
    response = api_client.get("/nope")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "location"), [("/admin", "/admin/"), ("/admin?next=x", "/admin/?next=x")]
)
def test_admin_without_the_slash_redirects_to_the_admin(client, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location
    assert client.get(location, follow=True).status_code == 200  # the sign-in page
