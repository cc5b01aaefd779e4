"""The error contract: one table of codes, and the one translator from exceptions to the envelope.

Every producer of an error body builds it from ERRORS: the DRF exception handler below, Django's
handler400/handler500 and the API 404 (api/views.py), the error-page middleware
(api/middleware.py) and the OpenAPI error responses (api/openapi/). Domain exceptions subclass
the bases here and carry their own code, so this module knows no domain.
"""

import logging
from typing import NamedTuple

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger("todo.errors")


class ErrorSpec(NamedTuple):
    status: int
    message: str  # what the server says when nothing more precise is known
    when: str  # for the docs
    reason: str | None = None  # a 401's `details.reason` when nothing more precise is known


# The contract's codes (../shared/API.md), the generic code of each status first.
ERRORS: dict[str, ErrorSpec] = {
    "MALFORMED_REQUEST": ErrorSpec(400, "Bad request.", "the body is not parseable JSON"),
    "AUTH_REQUIRED": ErrorSpec(
        401,
        "Authentication credentials were not provided.",
        "no `Authorization: Bearer` header",
        "missing_token",
    ),
    "INVALID_TOKEN": ErrorSpec(
        401,
        "Token is invalid.",
        "the token was refused; `details.reason` says why",
        "malformed",
    ),
    "ACCOUNT_DISABLED": ErrorSpec(
        401, "This account has been disabled.", "the user is marked inactive", "account_disabled"
    ),
    "INVALID_CREDENTIALS": ErrorSpec(
        401, "Invalid email or password.", "unknown email or wrong password", "invalid_credentials"
    ),
    "FORBIDDEN": ErrorSpec(403, "Forbidden.", "`{user_id}` in the path is not the caller's id"),
    "NOT_FOUND": ErrorSpec(
        404, "No API endpoint matches this path.", "no API endpoint matches the path"
    ),
    "RESOURCE_NOT_FOUND": ErrorSpec(
        404, "Not found.", "it does not exist or is not the caller's (never told apart)"
    ),
    "METHOD_NOT_ALLOWED": ErrorSpec(405, "Method not allowed.", "method not allowed here"),
    "NOT_ACCEPTABLE": ErrorSpec(
        406, "Could not satisfy the request Accept header.", "no acceptable response type"
    ),
    "CONFLICT": ErrorSpec(
        409,
        "The resource already exists.",
        "it already exists, or the first request with this `Idempotency-Key` is still running",
    ),
    "PRECONDITION_FAILED": ErrorSpec(
        412,
        "The resource has changed since you read it.",
        "`If-Match` does not match its current `ETag`; `details.current` is it as it is now",
    ),
    "PAYLOAD_TOO_LARGE": ErrorSpec(413, "Request body is too large.", "the body is over the limit"),
    "UNSUPPORTED_MEDIA_TYPE": ErrorSpec(415, "Unsupported media type.", "the body is not JSON"),
    "VALIDATION_ERROR": ErrorSpec(
        422, "Invalid input.", "invalid fields or parameters (see `details`)"
    ),
    "IDEMPOTENCY_KEY_REUSED": ErrorSpec(
        422,
        "This Idempotency-Key was already used for a different request.",
        "the `Idempotency-Key` was used by this user for another method, path or body",
    ),
    "RATE_LIMITED": ErrorSpec(
        429, "Request was throttled.", "too many attempts; see `Retry-After`"
    ),
    "INTERNAL_ERROR": ErrorSpec(500, "An unexpected error occurred.", "anything unexpected"),
    "UPSTREAM_ERROR": ErrorSpec(
        502,
        "The assistant's model provider failed or timed out; try again.",
        "the chat model's provider failed or timed out",
    ),
    "SERVICE_UNAVAILABLE": ErrorSpec(
        503,
        "The service is temporarily unavailable; try again shortly.",
        "the database or another service it needs cannot be reached",
    ),
}

# `error.details.reason` of a 401: why the token (or the credentials) were refused. The contract's
# vocabulary, then the reason of each 401 code that is not about a bad token, and one for a token
# that is not a refresh token where one is needed.
AUTH_REASONS: dict[str, str] = {
    "expired": "`exp` has passed (beyond the leeway): get a new token",
    "not_yet_valid": "`nbf` or `iat` is in the future (beyond the leeway)",
    "bad_signature": "the signature does not verify with the key the token names",
    "malformed": "not a JWT, not `Bearer <token>`, too long, a claim of the wrong type, no `kid`",
    "algorithm_not_allowed": "`alg` is not accepted (the message says when `JWT_JWKS_URL` is "
    "what is missing), or does not match its key",
    "unknown_key": "the `kid` is not in the issuer's key set, fetched after the request arrived",
    "wrong_issuer": "`iss` is not `JWT_ISSUER` (the message names both)",
    "wrong_audience": "`aud` does not contain `JWT_AUDIENCE` (the message names both)",
    "missing_claim": "a required claim is missing (the message names it)",
    "invalid_subject": "`sub` is not 1 to 255 characters without control characters or `/`",
    "refresh_token": "a refresh token was sent as an access token",
    "revoked": "the refresh token was used already, signed out, or its user is gone",
    "not_refresh_token": "refresh or signout got a token that is not one of our refresh tokens",
    "missing_token": "no `Authorization: Bearer` header (`AUTH_REQUIRED`)",
    "account_disabled": "the user is marked inactive (`ACCOUNT_DISABLED`)",
    "invalid_credentials": "unknown email or wrong password (`INVALID_CREDENTIALS`)",
}

# DRF's own exceptions -> the contract's codes (checked in order: subclasses first).
_DRF_CODES: list[tuple[type[Exception], str]] = [
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


class ApiError(exceptions.APIException):
    """Base of the contract's errors: `default_code` names the row of ERRORS.

    Status and default message come from the table; a subclass may word its own message.
    """

    default_code = "INTERNAL_ERROR"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = ERRORS[cls.default_code]
        cls.status_code = spec.status
        if "default_detail" not in cls.__dict__:
            cls.default_detail = spec.message


class AuthenticationError(ApiError, exceptions.AuthenticationFailed):
    """A 401 (DRF then sends `WWW-Authenticate`); subclasses name the code, `reason` says why
    (one of AUTH_REASONS; the code's own by default)."""

    default_code = "INVALID_TOKEN"

    def __init__(self, detail=None, *, reason: str | None = None):
        super().__init__(detail)
        self.reason = reason or ERRORS[self.default_code].reason
        assert self.reason in AUTH_REASONS, self.reason


class Forbidden(ApiError, exceptions.PermissionDenied):
    default_code = "FORBIDDEN"


class EndpointNotFound(ApiError):
    default_code = "NOT_FOUND"


class ResourceNotFound(ApiError):
    default_code = "RESOURCE_NOT_FOUND"


class Conflict(ApiError):
    default_code = "CONFLICT"


class PreconditionFailed(ApiError):
    """A 412; `details` (e.g. `{"current": ...}`) goes into the envelope as given."""

    default_code = "PRECONDITION_FAILED"

    def __init__(self, detail=None, *, details: dict | None = None):
        super().__init__(detail)
        self.details = details


class PayloadTooLarge(ApiError):
    default_code = "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(ApiError):
    default_code = "SERVICE_UNAVAILABLE"


class UpstreamError(ApiError):
    default_code = "UPSTREAM_ERROR"


class InvalidParameter(exceptions.ValidationError):
    """A 422 for a malformed path or query parameter; `default_detail` is `{name: [message]}`."""

    status_code = 422


def is_api_path(path: str) -> bool:
    """Whether a path belongs to the API, which answers JSON, errors included (`/api` too)."""
    return path == "/api" or path.startswith("/api/")


def error_body(code: str, message: str | None = None, details=None) -> dict:
    """The error envelope (the table's message unless another is given; a 401 says why)."""
    if details is None and ERRORS[code].reason is not None:
        details = {"reason": ERRORS[code].reason}
    error = {"code": code, "message": message or ERRORS[code].message}
    if details is not None:
        error["details"] = details
    return {"success": False, "error": error}


def error_response(code: str) -> JsonResponse:
    """The envelope as a plain Django response, for errors outside DRF's reach."""
    return JsonResponse(error_body(code), status=ERRORS[code].status)


# Codes that name one cause, never the generic code of their status.
_ONE_CAUSE = {"UPSTREAM_ERROR"}


def code_for_status(status: int) -> str:
    """The generic code of an HTTP error status (for error pages Django rendered)."""
    generic = next(
        (c for c, spec in ERRORS.items() if spec.status == status and c not in _ONE_CAUSE), None
    )
    return generic or ("INTERNAL_ERROR" if status >= 500 else "MALFORMED_REQUEST")


def code_for(exc_type: type[Exception]) -> str:
    """The contract code of an API exception class."""
    if issubclass(exc_type, ApiError):
        return exc_type.default_code
    return next((code for cls, code in _DRF_CODES if issubclass(exc_type, cls)), "INTERNAL_ERROR")


def _first_message(details) -> str:
    """The first human message in a (possibly nested) DRF error structure."""
    while isinstance(details, dict | list) and details:
        details = next(iter(details.values())) if isinstance(details, dict) else details[0]
    return str(details) if details else ERRORS["VALIDATION_ERROR"].message


def body_for(exc: exceptions.APIException) -> dict:
    """The envelope of an API exception: its code, its message, and field details if any."""
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return error_body("VALIDATION_ERROR", _first_message(details), details)
    if isinstance(detail, dict) and "detail" in detail:  # simplejwt's {"detail", "code", ...}
        detail = detail["detail"]
    code = code_for(type(exc))
    reason = getattr(exc, "reason", None)  # a 401's own reason (else the code's, error_body)
    details = getattr(exc, "details", None) or ({"reason": reason} if reason else None)
    return error_body(code, _first_message(detail), details)


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
        if isinstance(exc, DatabaseError):  # the SQL may quote data: the type is enough
            logger.error("Database error: %s", type(exc).__name__, exc_info=exc)
        else:
            logger.exception("Unhandled error", exc_info=exc)
        return Response(error_body("INTERNAL_ERROR"), status=500)
    if isinstance(exc, ServiceUnavailable):
        logger.warning("Service unavailable: %s", exc.detail)
    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Retry-After
    response.data = body_for(exc)
    if isinstance(exc, exceptions.ValidationError):
        response.status_code = 422
    if response.status_code == 401:  # the access log line carries it (api.middleware)
        response.auth_reason = response.data["error"]["details"]["reason"]
    if response.data["error"]["code"] == "INVALID_TOKEN" and response.has_header(
        "WWW-Authenticate"
    ):
        # RFC 6750 3.1: the token is the problem (a client may refresh it), not the request.
        response["WWW-Authenticate"] += ', error="invalid_token"'
    return response
