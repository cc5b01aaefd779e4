"""Liveness (no database access at all) and readiness (the database answers)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/health", "/api/health/"])
def test_liveness_is_200_without_touching_the_database(api_client, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get(path)

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {"status": "ok"},
        "message": "Service is alive",
    }


def test_liveness_ignores_a_bad_token(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/api/health", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/health/ready", "/api/health/ready/"])
def test_readiness_is_200_when_the_database_answers(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {"status": "ready", "database": "ok"},
        "message": "Service is ready",
    }


def test_health_endpoints_need_no_token(api_client):
    assert api_client.get("/api/health").status_code == 200
    assert api_client.get("/api/health/ready").status_code == 200
