"""Both mounts of tasks and tags: `/api/tasks...`, `/api/tags` and the same under
`/api/{user_id}/`, trailing slash optional."""

from django.urls import include, re_path
from rest_framework.routers import SimpleRouter

from .views import TagViewSet, TaskViewSet


def _router(prefix: str) -> SimpleRouter:
    router = SimpleRouter()
    router.trailing_slash = "/?"  # same view with or without the slash, no redirect
    router.register("tasks", TaskViewSet, basename=f"{prefix}task")
    router.register("tags", TagViewSet, basename=f"{prefix}tag")
    return router


urlpatterns = [
    *_router("").urls,
    re_path(r"^(?P<user_id>[^/]*)/", include(_router("user-").urls)),  # empty: a 422
]
