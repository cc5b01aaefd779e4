"""Both task mounts: `/api/tasks...` and `/api/{user_id}/tasks...`, trailing slash optional."""

from django.urls import include, re_path
from rest_framework.routers import SimpleRouter

from .views import TaskViewSet


def _router(basename: str) -> SimpleRouter:
    router = SimpleRouter()
    router.trailing_slash = "/?"  # same view with or without the slash, no redirect
    router.register("tasks", TaskViewSet, basename=basename)
    return router


urlpatterns = [
    *_router("task").urls,
    re_path(r"^(?P<user_id>[^/]*)/", include(_router("user-task").urls)),  # empty: a 422
]
