"""OpenAPI pieces every operation shares: the error envelope, its codes, page metadata, and the
patterns that say what a CharField really accepts."""

from http import HTTPStatus

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from ..errors import AUTH_REASONS, ERRORS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


COMPONENTS = {
    "ErrorCode": {"type": "string", "enum": list(ERRORS)},
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
    # A 412 carries the resource as it is now: `details.current`.
    "PreconditionFailedError": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": ["PRECONDITION_FAILED"]},
            "message": {"type": "string"},
            "details": {
                "type": "object",
                "properties": {
                    "current": {
                        "type": "object",
                        "additionalProperties": True,
                        "description": "The resource as it is now (as its GET shows it); its "
                        "`version` makes the ETag to send next time.",
                    }
                },
                "required": ["current"],
            },
        },
        "required": ["code", "message", "details"],
    },
    "PreconditionFailedResponse": {
        "type": "object",
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "error": _ref("PreconditionFailedError"),
        },
        "required": ["success", "error"],
    },
    # A 401 always says why: `details.reason`.
    "AuthReason": {
        "type": "string",
        "enum": list(AUTH_REASONS),
        "description": "Why the request was refused: "
        + "; ".join(f"`{reason}`: {meaning}" for reason, meaning in AUTH_REASONS.items())
        + ".",
    },
    "AuthError": {
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "enum": [code for code, spec in ERRORS.items() if spec.status == 401],
            },
            "message": {"type": "string"},
            "details": {
                "type": "object",
                "properties": {"reason": _ref("AuthReason")},
                "required": ["reason"],
            },
        },
        "required": ["code", "message", "details"],
    },
    "AuthErrorResponse": {
        "type": "object",
        "properties": {"success": {"type": "boolean", "enum": [False]}, "error": _ref("AuthError")},
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

_HEADERS = {  # status -> its headers' descriptions
    401: {"WWW-Authenticate": '`Bearer` (with `error="invalid_token"` for a bad token).'},
    429: {"Retry-After": "Seconds to wait before retrying."},
}


def error_response(status: int, examples: dict[str, dict]) -> dict:
    """The OpenAPI response of one error status: the envelope, and an example body per code."""
    listing = "; ".join(f"`{code}`: {ERRORS[code].when}" for code in examples)
    named = {code: {"summary": code, "value": body} for code, body in examples.items()}
    envelope = {401: "AuthErrorResponse", 412: "PreconditionFailedResponse"}.get(
        status, "ErrorResponse"
    )
    headers = {name: {"schema": {"type": "string"}, "description": text}
               for name, text in _HEADERS.get(status, {}).items()}  # fmt: skip
    return {
        "description": f"{HTTPStatus(status).phrase}. {listing}.",
        "content": {"application/json": {"schema": _ref(envelope), "examples": named}},
        **({"headers": headers} if headers else {}),
    }


# What DRF's CharField accepts, as JSON Schema patterns: never a NUL; and for a trimmed field
# (trim_whitespace), its length counted after trimming, which `maxLength` cannot say (the raw
# string may be longer). Whitespace is Python's str.strip()'s, spelled out: ECMA-262's `\s`
# (the dialect of JSON Schema patterns) leaves out U+001C..U+001F and U+0085, and adds U+FEFF.
NO_NUL = "^[^\\u0000]*$"
STRIPPED = (
    "\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_SPACE = f"[{STRIPPED}]"
_SOLID = f"[^\\u0000{STRIPPED}]"


def trimmed_pattern(max_length: int | None, *, allow_blank: bool = False) -> str:
    """Strings that, trimmed, are 1..max_length characters without NUL (or empty: allow_blank)."""
    if max_length == 1:
        content = _SOLID
    else:
        middle = "[^\\u0000]" + ("*" if max_length is None else f"{{0,{max_length - 2}}}")
        content = f"{_SOLID}(?:{middle}{_SOLID})?"
    if allow_blank:
        return f"^{_SPACE}*(?:{content}{_SPACE}*)?$"
    return f"^{_SPACE}*{content}{_SPACE}*$"


def char_field_rules(field: serializers.CharField, prop: dict) -> None:
    """A request string as the CharField really validates it (pattern; `maxLength` if raw)."""
    if not any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators):
        return
    if not field.trim_whitespace:
        prop.setdefault("pattern", NO_NUL)
        return
    prop["pattern"] = trimmed_pattern(field.max_length, allow_blank=field.allow_blank)
    if field.max_length is not None:
        del prop["maxLength"]
        least = "0" if field.allow_blank else "1"
        prop.setdefault(
            "description",
            f"{least} to {field.max_length} characters once leading and trailing whitespace is "
            "trimmed.",
        )
