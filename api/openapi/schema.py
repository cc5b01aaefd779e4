"""OpenAPI schema (drf-spectacular): responses as the envelope renders them, errors per operation.

The views return bare serializers; EnvelopeJSONRenderer and api_exception_handler give every
response its real shape. This AutoSchema describes that shape: 2xx bodies wrapped as
`{success, data, message[, meta]}` (named `<Thing>Response`), and the error envelope under each
status an operation can answer with, the codes listed and an example for each.
"""

import re

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from .components import (
    COMPONENTS,
    ERROR_CODES,
    INVALID_EXAMPLES,
    OPERATION_ERRORS,
    envelope_example,
    envelope_schema,
    error_response,
)

# The URL patterns match anything here (a malformed id is a 422, not a 404): say what is valid.
PATH_PARAMETERS = {
    "task_id": {
        "schema": {"type": "integer", "format": "int64", "minimum": 1},
        "description": "The task's id (not a positive integer: 422).",
    },
    "user_id": {
        "schema": {"type": "string", "format": "uuid"},
        "description": "Must be the caller's own id (another id: 403; not a UUID: 422).",
    },
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, describing what the renderer and error handler produce.

    The underscored methods overridden here are drf-spectacular internals (pinned 0.30.0);
    test_schema.py checks the result, so an upgrade that changes them fails loudly.
    """

    def get_operation_id(self) -> str:
        extra_actions = {a.__name__ for a in getattr(self.view, "get_extra_actions", list)()}
        if getattr(self.view, "action", None) in extra_actions:  # `tasks_complete`, no method
            operation_id = "_".join(self._tokenize_path())
        else:
            operation_id = super().get_operation_id()
        # Both task mounts share one viewset: the `{user_id}` one gets its own operation ids.
        return ("user_" if "{user_id}" in self.path else "") + operation_id

    def get_tags(self) -> list[str]:
        return self._tokenize_path()[:1]

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name}ListResponse"

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(
            [name for name in variables if name not in PATH_PARAMETERS]
        )
        return parameters + [
            {"in": "path", "name": name, "required": True, **PATH_PARAMETERS[name]}
            for name in variables
            if name in PATH_PARAMETERS
        ]

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":  # a serializer renders every one of its fields, always
            schema["required"] = list(schema["properties"])
        else:
            for name, prop in schema["properties"].items():
                field = serializer.fields[name]
                if isinstance(field, serializers.CharField) and prop.get("type") == "string":
                    _char_field_rules(field, prop)
        return schema

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        paginated = self._is_list_view(serializer) and self._get_paginator() is not None
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not status_code.startswith("2") or "content" not in response:
            return response
        message = getattr(self.view, "messages", {}).get(getattr(self.view, "action", None))
        response["description"] = response["description"] or message or "Success"
        for media in response["content"].values():
            if not paginated:  # a paginated list's schema is the paginator's envelope already
                media["schema"] = self._envelope_component(media["schema"])
            for example in media.get("examples", {}).values():
                body = example["value"] if paginated else envelope_example(example["value"])
                example["value"] = {**body, "message": message or "OK"}
        return response

    def _envelope_component(self, data: dict) -> dict:
        """`<Thing>Response` for a component `<Thing>`; an inline envelope for inline data."""
        ref = data.get("$ref", "")
        if not ref:
            return envelope_schema(data)
        name = ref.rsplit("/", 1)[-1]
        component = ResolvedComponent(
            name=f"{name}Response",
            type=ResolvedComponent.SCHEMA,
            object=f"{name}Response",
            schema=envelope_schema(data),
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, codes in sorted(self._error_codes().items()):
            responses.setdefault(str(status), error_response(status, codes, self._invalid()))
        return responses

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    def _is_paginated(self) -> bool:
        return self._is_list_view() and self._get_paginator() is not None

    def _invalid(self) -> dict:
        """Example `details` of this operation's 422."""
        variables = set(re.findall(r"\{(\w+)\}", self.path))
        if self._has_body():
            return INVALID_EXAMPLES["body"]
        if self._is_paginated():
            return INVALID_EXAMPLES["page"]
        return INVALID_EXAMPLES["task_id" if "task_id" in variables else "user_id"]

    def _error_codes(self) -> dict[int, list[str]]:
        """Every error code this operation can answer with, by status."""
        codes = [*OPERATION_ERRORS.get(self.get_operation_id(), []), "INTERNAL_ERROR"]
        if any(isinstance(p, IsAuthenticated) for p in self.view.get_permissions()):
            codes += ["AUTH_REQUIRED", "INVALID_TOKEN", "ACCOUNT_DISABLED"]
        variables = set(re.findall(r"\{(\w+)\}", self.path))
        if "user_id" in variables:
            codes += ["FORBIDDEN", "VALIDATION_ERROR"]
        if "task_id" in variables:
            codes += ["RESOURCE_NOT_FOUND", "VALIDATION_ERROR"]
        if self._has_body():
            codes += [
                "MALFORMED_REQUEST",
                "PAYLOAD_TOO_LARGE",
                "UNSUPPORTED_MEDIA_TYPE",
                "VALIDATION_ERROR",
            ]
        if self._is_paginated():
            codes.append("VALIDATION_ERROR")
        if self.view.get_throttles():
            codes.append("RATE_LIMITED")
        if not self.path.endswith("/health"):  # liveness is the one that touches no database
            codes.append("SERVICE_UNAVAILABLE")
        by_status: dict[int, list[str]] = {}
        for code in dict.fromkeys(codes):
            by_status.setdefault(ERROR_CODES[code][0], []).append(code)
        return by_status


class BearerJWTScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer <jwt>` as SubClaimJWTAuthentication reads it."""

    target_class = "accounts.authentication.SubClaimJWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An access token: from POST /api/auth/signin (or signup, refresh), "
                "`manage.py mint_token`, or a Better Auth frontend (HS256 with the shared "
                "secret, or EdDSA/ES256/RS256 from its JWKS). `sub` is the user's id."
            ),
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


def _char_field_rules(field: serializers.CharField, prop: dict) -> None:
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


def normalize_paths(endpoints, **kwargs):
    """Preprocessing hook: the contract's paths (no trailing `/`, `{task_id}`)."""
    from todo_project import api_docs  # noqa: F401  (registers the per-view documentation)

    result = []
    for path, path_regex, method, callback in endpoints:
        path = path.rstrip("/").replace("{pk}", "{task_id}").replace("{id}", "{task_id}")
        result.append((path, path_regex, method, callback))
    return result


def add_components(result, generator, request, public):
    """Postprocessing hook: the shared components the envelope and error responses refer to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    if "SignUpRequest" in schemas:
        _document_password_rules(schemas["SignUpRequest"]["properties"]["password"])
    return result


def _document_password_rules(password: dict) -> None:
    """A new password must pass AUTH_PASSWORD_VALIDATORS: say so, with the length they require."""
    from django.contrib.auth.password_validation import (
        MinimumLengthValidator,
        get_default_password_validators,
        password_validators_help_texts,
    )

    lengths = [
        validator.min_length
        for validator in get_default_password_validators()
        if isinstance(validator, MinimumLengthValidator)
    ]
    password["minLength"] = max([password.get("minLength", 1), *lengths])
    rules = " ".join(str(text) for text in password_validators_help_texts())
    password["description"] = f"Checked by the server's password rules (else 422): {rules}"
