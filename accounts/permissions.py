"""The `{user_id}` mount: `/api/{user_id}/...` is only ever the caller's own."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission

from .exceptions import InvalidUserId, NotYourUserId
from .ids import MAX_LENGTH, canonical_user_id

USER_ID = OpenApiParameter(
    "user_id",
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_LENGTH,
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f/]+$",  # no control characters, no /
    },
    OpenApiParameter.PATH,
    description=(
        "Must be the caller's own id, the token's `sub` (a UUID in any letter case): another "
        "id is a 403; an empty or longer than 255 characters or control-character id a 422."
    ),
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
        path_user = canonical_user_id(raw)
        if path_user is None:
            raise InvalidUserId()
        if path_user != request.user.pk:
            raise NotYourUserId()
        return True

    def schema_errors(self, path: str) -> list[type[Exception]]:
        """OpenAPI (api.openapi.AutoSchema): what this check answers, on the paths it applies to."""
        return [NotYourUserId, InvalidUserId] if "{user_id}" in path else []
