"""The one translator from exceptions to the error envelope (every 4xx and 5xx of the API)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger("todo.errors")


class ApiError(exceptions.APIException):
    """Base for our own API errors: `default_code` is the contract's error code."""


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource already exists."
    default_code = "CONFLICT"


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable; try again shortly."
    default_code = "SERVICE_UNAVAILABLE"


class InvalidCredentials(exceptions.AuthenticationFailed):
    """Signin with an unknown email or a wrong password: one message for both."""

    default_detail = "Invalid email or password."
    default_code = "invalid_credentials"


class AccountDisabled(exceptions.AuthenticationFailed):
    """A valid token or password of a user marked inactive."""

    default_detail = "This account has been disabled."
    default_code = "user_inactive"


class ResourceNotFound(exceptions.NotFound):
    """A task that does not exist or is not the caller's (the two are never told apart)."""

    default_detail = "Task not found."
    default_code = "RESOURCE_NOT_FOUND"


class UnprocessableEntity(exceptions.ValidationError):
    """A 422 for a malformed path parameter, in the validation envelope."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


# DRF's built-in exceptions -> the contract's codes (checked in order: subclasses first).
_CODES: list[tuple[type[Exception], str]] = [
    (exceptions.ValidationError, "VALIDATION_ERROR"),
    (exceptions.ParseError, "MALFORMED_REQUEST"),
    (exceptions.NotAuthenticated, "AUTH_REQUIRED"),
    (exceptions.AuthenticationFailed, "INVALID_TOKEN"),
    (exceptions.PermissionDenied, "FORBIDDEN"),
    (exceptions.NotFound, "NOT_FOUND"),
    (exceptions.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (exceptions.NotAcceptable, "NOT_ACCEPTABLE"),
    (exceptions.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (exceptions.Throttled, "RATE_LIMITED"),
]

# Authentication failures whose simplejwt/DRF `code` names a more precise contract code.
_AUTH_CODES = {
    "user_inactive": "ACCOUNT_DISABLED",
    "invalid_credentials": "INVALID_CREDENTIALS",
}


def error_body(code: str, message: str, details=None) -> dict:
    """The error envelope."""
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"success": False, "error": error}


def _first_message(details) -> str:
    """The first human message in a (possibly nested) DRF error structure."""
    while isinstance(details, dict | list) and details:
        details = next(iter(details.values())) if isinstance(details, dict) else details[0]
    return str(details) if details else "Invalid input."


def _code_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, ApiError | ResourceNotFound):
        return exc.default_code
    if isinstance(exc, exceptions.AuthenticationFailed):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else (codes or {}).get("code", "")
        return _AUTH_CODES.get(code, "INVALID_TOKEN")
    return next((code for cls, code in _CODES if isinstance(exc, cls)), "ERROR")


def _message_for(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:  # simplejwt's {"detail", "code", ...}
        return str(detail["detail"])
    if isinstance(detail, dict | list):
        return _first_message(detail)
    return str(detail)


def _translate(exc: Exception) -> Exception:
    """Map Django and database exceptions onto API exceptions."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, OperationalError | InterfaceError):
        return ServiceUnavailable()
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """Every exception raised in an API view becomes the contract's error envelope."""
    # Imported here: rest_framework.views loads the authentication classes, which use this module.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        set_rollback()
        if not isinstance(exc, DatabaseError):
            logger.exception("Unhandled error", exc_info=exc)
        else:
            logger.error("Database error: %s", type(exc).__name__, exc_info=exc)
        return Response(
            error_body("INTERNAL_ERROR", "An unexpected error occurred."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, ServiceUnavailable):
        logger.warning("Service unavailable: %s", exc.detail)
    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Retry-After
    details = None
    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        detail = exc.detail
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    code = _code_for(exc)
    response.data = error_body(code, _message_for(exc), details)
    if code == "INVALID_TOKEN" and response.has_header("WWW-Authenticate"):
        # RFC 6750 3.1: the token is the problem (a client may refresh it), not the request.
        response["WWW-Authenticate"] += ', error="invalid_token"'
    return response
