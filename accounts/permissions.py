"""The `{user_id}` mount: `/api/{user_id}/...` is only ever the caller's own."""

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission

from .exceptions import InvalidUserId, NotYourUserId

USER_ID = OpenApiParameter(
    "user_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="Must be the caller's own id (another id: 403; not a UUID: 422).",
)


class IsPathUser(BasePermission):
    """`{user_id}` in the path, when there is one, must be the caller's id (after authentication).

    A malformed id is a 422; another id is a 403, whether or not that user exists: the answer
    says nothing about other accounts.
    """

    def has_permission(self, request, view) -> bool:
        raw = view.kwargs.get("user_id")
        if raw is None:
            return True
        try:
            path_user = uuid.UUID(raw)
        except ValueError:
            raise InvalidUserId() from None
        if path_user != request.user.pk:
            raise NotYourUserId()
        return True

    def schema_errors(self, path: str) -> list[type[Exception]]:
        """OpenAPI (api.openapi.AutoSchema): what this check answers, on the paths it applies to."""
        return [NotYourUserId, InvalidUserId] if "{user_id}" in path else []
