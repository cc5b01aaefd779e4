"""api.negotiation.ContentNegotiation: the common Accept headers answered in advance give
exactly DRF's answer; every other header still goes through DRF (a 406 in the envelope)."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.envelope import EnvelopeJSONRenderer
from api.negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html, application/json;q=0.9",
    "application/json, text/plain, */*",
    "text/html",
    "image/png",
]


def _request(accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get("/api/tasks", **headers))


def _answer(negotiation, accept, renderers):
    try:
        renderer, media_type = negotiation.select_renderer(_request(accept), renderers)
    except Exception as error:  # noqa: BLE001 - the very exception DRF raises is compared
        return type(error).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("renderer", [EnvelopeJSONRenderer, StaticHTMLRenderer])
def test_the_answer_is_drfs(accept, renderer):
    renderers = [renderer()]

    assert _answer(ContentNegotiation(), accept, renderers) == _answer(
        DefaultContentNegotiation(), accept, renderers
    )


def test_the_common_headers_skip_parsing(monkeypatch):
    def parse(self, request):
        raise AssertionError("parsed")

    monkeypatch.setattr(ContentNegotiation, "_get_parsed_accept_list", parse)
    renderers = [EnvelopeJSONRenderer()]

    for accept in (None, "*/*", "application/json"):
        assert _answer(ContentNegotiation(), accept, renderers)[1] == "application/json"
    assert _answer(ContentNegotiation(), "text/html", renderers) == "AssertionError"


@pytest.mark.django_db
def test_an_unacceptable_type_is_a_406_in_the_envelope(auth_client):
    response = auth_client.get("/api/tasks", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json() == {
        "success": False,
        "error": {
            "code": "NOT_ACCEPTABLE",
            "message": "Could not satisfy the request Accept header.",
        },
    }
