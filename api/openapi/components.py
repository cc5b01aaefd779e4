"""The OpenAPI pieces every operation shares: the success envelope, the error envelope and codes.

Used by api.openapi.schema.AutoSchema (and the paginator's schema method); the codes and
example messages are the ones todo_project/exceptions.py and the views really produce.
"""

from api.errors import error_body

# code: (status, when, an example message as the server words it)
ERROR_CODES = {
    "MALFORMED_REQUEST": (400, "the body is not parseable JSON", "Malformed JSON: ..."),
    "AUTH_REQUIRED": (
        401,
        "no `Authorization: Bearer` header",
        "Authentication credentials were not provided.",
    ),
    "INVALID_TOKEN": (
        401,
        "bad signature, malformed, expired, wrong issuer/audience, refresh token as access token",
        "Token has expired.",
    ),
    "ACCOUNT_DISABLED": (401, "the user is marked inactive", "This account has been disabled."),
    "INVALID_CREDENTIALS": (401, "unknown email or wrong password", "Invalid email or password."),
    "FORBIDDEN": (
        403,
        "`{user_id}` in the path is not the caller's id",
        "You can only access your own tasks.",
    ),
    "RESOURCE_NOT_FOUND": (404, "no such task of the caller's", "Task not found."),
    "NOT_FOUND": (404, "no API endpoint matches the path", "No API endpoint matches this path."),
    "METHOD_NOT_ALLOWED": (405, "method not allowed here", 'Method "PUT" not allowed.'),
    "NOT_ACCEPTABLE": (406, "no acceptable response type", "Could not satisfy the request."),
    "CONFLICT": (409, "the email is taken", "A user with this email already exists."),
    "PAYLOAD_TOO_LARGE": (413, "the body is over the limit", "Request body is too large."),
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "the body is not JSON",
        'Unsupported media type "text/plain" in request.',
    ),
    "VALIDATION_ERROR": (422, "invalid fields or parameters (see `details`)", ""),
    "RATE_LIMITED": (
        429,
        "too many attempts; see `Retry-After`",
        "Request was throttled. Expected available in 60 seconds.",
    ),
    "INTERNAL_ERROR": (500, "anything unexpected", "An unexpected error occurred."),
    "SERVICE_UNAVAILABLE": (
        503,
        "the database cannot be reached",
        "The service is temporarily unavailable; try again shortly.",
    ),
}

STATUS_TEXT = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation error",
    429: "Rate limited",
    500: "Internal error",
    503: "Service unavailable",
}

# Codes only particular operations answer with (the generic ones are derived below).
OPERATION_ERRORS: dict[str, list[str]] = {
    "auth_signup": ["CONFLICT"],
    "auth_signin": ["INVALID_CREDENTIALS", "ACCOUNT_DISABLED"],
    "auth_refresh": ["INVALID_TOKEN", "ACCOUNT_DISABLED"],
    "auth_signout": ["INVALID_TOKEN"],
}

_HEADERS = {
    401: {"WWW-Authenticate": '`Bearer` (with `error="invalid_token"` for a bad token).'},
    429: {"Retry-After": "Seconds to wait before retrying."},
}
# Example `details` of a 422, by what the operation takes (the first that applies).
INVALID_EXAMPLES = {
    "body": {"title": ["Title must be between 1 and 200 characters."]},
    "task_id": {"task_id": ["Must be a positive integer."]},
    "user_id": {"user_id": ["Must be a valid UUID."]},
    "page": {"limit": ["Ensure this value is less than or equal to 500."]},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


PAGE_META_EXAMPLE = {"count": 1, "limit": 100, "offset": 0, "next": None, "previous": None}


def envelope_schema(data: dict, *, paginated: bool = False) -> dict:
    """The success envelope around `data` (lists: plus `meta`).

    Every property but `data` carries an example, so drf-spectacular can build a list's
    example from one row's (it fills `data` in and reads the rest).
    """
    schema = {
        "type": "object",
        "properties": {
            "success": {"type": "boolean", "enum": [True], "example": True},
            "data": data,
            "message": {"type": "string", "description": "A short summary.", "example": "OK"},
        },
        "required": ["success", "data", "message"],
    }
    if paginated:
        schema["properties"]["meta"] = {"allOf": [_ref("PageMeta")], "example": PAGE_META_EXAMPLE}
        schema["required"].append("meta")
    return schema


def envelope_example(data) -> dict:
    return {"success": True, "data": data, "message": "OK"}


COMPONENTS = {
    "ErrorCode": {"type": "string", "enum": list(ERROR_CODES)},
    "Error": {
        "type": "object",
        "properties": {
            "code": _ref("ErrorCode"),
            "message": {"type": "string"},
            "details": {
                "type": "object",
                "description": "Validation errors: field name -> messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["code", "message"],
    },
    "ErrorResponse": {
        "type": "object",
        "properties": {"success": {"type": "boolean", "enum": [False]}, "error": _ref("Error")},
        "required": ["success", "error"],
    },
    "PageMeta": {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "description": "Rows in the whole list."},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
        },
        "required": ["count", "limit", "offset", "next", "previous"],
    },
}


def error_response(status: int, codes: list[str], invalid: dict) -> dict:
    """The OpenAPI response for one error status: the error envelope and an example per code.

    `invalid` is the example VALIDATION_ERROR `details` (field -> messages) for the operation.
    """
    listing = "; ".join(f"`{code}`: {ERROR_CODES[code][1]}" for code in codes)
    examples = {}
    for code in codes:
        if code == "VALIDATION_ERROR":
            body = error_body(code, next(iter(invalid.values()))[0], invalid)
        else:
            body = error_body(code, ERROR_CODES[code][2])
        examples[code] = {"summary": code, "value": body}
    response = {
        "description": f"{STATUS_TEXT[status]}. {listing}.",
        "content": {"application/json": {"schema": _ref("ErrorResponse"), "examples": examples}},
    }
    if status in _HEADERS:
        response["headers"] = {
            name: {"schema": {"type": "string"}, "description": text}
            for name, text in _HEADERS[status].items()
        }
    return response
