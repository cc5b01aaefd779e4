"""Top-level routes: the index, admin, health, schema, docs, auth, both task mounts, chat, MCP,
the API 404."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

from api.openapi.views import SchemaView
from api.views import ApiNotFoundView, HealthView, IndexView, ReadinessView
from chat.views import McpView

urlpatterns = [
    path("api/", include("tasks.urls")),  # first: the busiest routes are matched first
    path("", IndexView.as_view(), name="index"),
    path("admin", RedirectView.as_view(url="/admin/", permanent=True, query_string=True)),
    path("admin/", admin.site.urls),
    re_path(r"^api/health/?$", HealthView.as_view(), name="health"),
    re_path(r"^api/health/ready/?$", ReadinessView.as_view(), name="health-ready"),
    re_path(r"^api/schema/?$", SchemaView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include("accounts.urls")),
    path("api/", include("chat.urls")),
    re_path(r"^mcp/?$", McpView.as_view(), name="mcp"),
    re_path(r"^api(?:/|$)", ApiNotFoundView.as_view(), name="api-not-found"),
]

handler400 = "api.views.bad_request"
handler500 = "api.views.server_error"
