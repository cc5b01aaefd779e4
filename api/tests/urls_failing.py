"""Test-only URLConf: the real routes plus endpoints that fail in ways no real endpoint should."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from todo_project import urls

SECRET = "SELECT password FROM accounts_user -- do not leak"


class RaisingView(APIView):
    """An unexpected exception inside a DRF view."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError(SECRET)


class UnrenderableView(RaisingView):
    """A body the renderer cannot encode: the failure happens after the view returned."""

    def get(self, request):
        return Response({"value": object(), "note": SECRET})


def plain_django_view(request):
    """An exception in a plain Django view under /api/, outside DRF's exception handler."""
    raise RuntimeError(SECRET)


def html_error_page(request, status):
    """A plain Django view under /api/ that answers with an HTML error page of its own."""
    return HttpResponse(f"<h1>Error {status}</h1><p>{SECRET}</p>", status=status)


urlpatterns = [
    path("api/test-failures/page/<int:status>", html_error_page),
    path("api/test-failures/raise", RaisingView.as_view()),
    path("api/test-failures/unrenderable", UnrenderableView.as_view()),
    path("api/test-failures/plain", plain_django_view),
    *urls.urlpatterns,
]

handler400 = urls.handler400
handler500 = urls.handler500
