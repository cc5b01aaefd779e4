"""Top-level routes: admin, health, auth, both task mounts, and the API's 404 catch-all."""

from django.contrib import admin
from django.urls import include, path, re_path

from .views import ApiNotFoundView, HealthView, ReadinessView

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^api/health/?$", HealthView.as_view(), name="health"),
    re_path(r"^api/health/ready/?$", ReadinessView.as_view(), name="health-ready"),
    path("api/", include("tasks.urls")),
    re_path(r"^api/", ApiNotFoundView.as_view(), name="api-not-found"),
]

handler400 = "todo_project.views.bad_request"
handler500 = "todo_project.views.server_error"
