"""drf-spectacular's AutoSchema, describing responses as the envelope and api.errors make them.

Views document themselves with `@extend_schema` (summary, examples, and in `responses` the
exceptions they raise, e.g. `{404: TaskNotFound}`); this class adds what every view shares:
2xx bodies wrapped as `{success, data, message[, meta]}` (`<Thing>Response`), the error
envelope under each status with an example per code, the `{user_id}` mount's operation ids,
and the OpenAPI links a view declares as `extensions={"x-links": {...}}`.
"""

import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, ParseError, Throttled, UnsupportedMediaType
from rest_framework.permissions import IsAuthenticated

from ..envelope import envelope_message, envelope_schema
from ..errors import ERRORS, body_for, error_body
from ..idempotency import (
    KEY_HEADER,
    KEY_PATTERN,
    REPLAYED_HEADER,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
)
from ..pagination import PageParamsSerializer
from .components import char_field_rules, error_response

# Errors by what an operation does (what its view raises comes on top), as codes or as
# exceptions whose message is the example's.
AUTHENTICATED = [NotAuthenticated, "INVALID_TOKEN", "ACCOUNT_DISABLED"]
WITH_BODY = [
    ParseError("Malformed JSON: ..."),
    "PAYLOAD_TOO_LARGE",
    UnsupportedMediaType("text/plain"),
    "VALIDATION_ERROR",
]

# `@idempotent` operations (api.idempotency): the request header, the replay's response header.
IDEMPOTENCY_KEY = OpenApiParameter(
    KEY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    description="Makes a retry safe: the first 2xx response is kept 24 hours for you and this "
    "key, and a retry with the same method, path and body gets it again (with "
    f"`{REPLAYED_HEADER}: true`) without the work being done twice. The same key with another "
    "method, path or body: 422 `IDEMPOTENCY_KEY_REUSED`; while its first request still runs: "
    "409 `CONFLICT`. Errors are not kept. 1 to 255 visible ASCII characters (else 422).",
)
REPLAYED = {
    "schema": {"type": "string", "enum": ["true"]},
    "description": f"`true` when this is the kept response to an earlier request with the same "
    f"`{KEY_HEADER}`; absent otherwise.",
}


class AutoSchema(SpectacularAutoSchema):
    """The underscored methods overridden here are drf-spectacular internals (pinned 0.30.0);
    api/tests/test_schema.py checks the result, so an upgrade that changes them fails loudly."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        # The same views under `/api/{user_id}/...`: operation ids of their own (`user_...`),
        # and links that stay on that mount, passing its parameter along.
        mount = re.match(rf"{self.path_prefix}/\{{(\w+)\}}/", self.path)
        prefix = mount.group(1).removesuffix("_id") + "_" if mount else ""
        operation["operationId"] = prefix + operation["operationId"]
        passed = {mount.group(1): f"$request.path.{mount.group(1)}"} if mount else {}
        links = {
            name: {**link, "operationId": prefix + link["operationId"]}
            | ({"parameters": {**link.get("parameters", {}), **passed}} if passed else {})
            for name, link in operation.pop("x-links", {}).items()
        }
        for status, response in operation["responses"].items():
            if links and status.startswith("2") and "content" in response:
                response["links"] = links
            if self._is_idempotent() and status.startswith("2"):
                response.setdefault("headers", {})[REPLAYED_HEADER] = REPLAYED
        return operation

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._is_idempotent() else parameters

    def _is_idempotent(self) -> bool:
        """Whether the operation's view method is decorated with `@idempotent`."""
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower())
        return getattr(handler, "idempotent", False)

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name}ListResponse"

    def _process_override_parameters(self, direction="request"):
        # A path parameter documented on a view applies where the path has it (both mounts).
        return {
            (name, where): parameter
            for (name, where), parameter in super()._process_override_parameters(direction).items()
            if where != "path" or f"{{{name}}}" in self.path
        }

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":  # a serializer renders every one of its fields, always
            schema["required"] = list(schema["properties"])
        else:
            for name, prop in schema["properties"].items():
                field = serializer.fields[name]
                if isinstance(field, serializers.CharField) and prop.get("type") == "string":
                    char_field_rules(field, prop)
        return schema

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        raised = serializer if isinstance(serializer, list) else [serializer]
        if all(isinstance(item, type) and issubclass(item, Exception) for item in raised):
            return {"x-raises": raised}  # exceptions a view names: see _get_response_bodies
        paginated = self._is_paginated(serializer)
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not status_code.startswith("2") or "content" not in response:
            return response
        message = envelope_message(self.view, self.method)
        response["description"] = response["description"] or message or "Success"
        for media in response["content"].values():
            if not paginated:  # a paginated list's schema is the paginator's envelope already
                media["schema"] = self._envelope_component(media["schema"])
            for example in media.get("examples", {}).values():
                body = example["value"] if paginated else {"data": example["value"]}
                example["value"] = {"success": True, **body, "message": message or "OK"}
        return response

    def _envelope_component(self, data: dict) -> dict:
        """`<Thing>Response` for a component `<Thing>`; an inline envelope for inline data."""
        name = data.get("$ref", "").rsplit("/", 1)[-1]
        if not name:
            return envelope_schema(data)
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
        raised = [exc for r in responses.values() for exc in r.get("x-raises", [])]
        responses = {status: r for status, r in responses.items() if "x-raises" not in r}
        examples: dict[int, dict] = {}  # status -> code -> the example body (the first wins)
        for body in map(self._example, [*raised, *self._generic_errors()]):
            code = body["error"]["code"]
            examples.setdefault(ERRORS[code].status, {}).setdefault(code, body)
        for status in sorted(examples):
            responses[str(status)] = error_response(status, examples[status])
        return responses

    def _is_paginated(self, serializer=None) -> bool:
        return self._is_list_view(serializer) and self._get_paginator() is not None

    def _generic_errors(self) -> list:
        """The errors every operation of this kind can answer with."""
        errors: list = list(WITH_BODY) if self._has_body() else []
        for permission in self.view.get_permissions():
            if isinstance(permission, IsAuthenticated):
                errors += AUTHENTICATED
            # A permission that checks a path parameter says what it answers, on which paths.
            errors += getattr(permission, "schema_errors", lambda path: [])(self.path)
        if "{" in self.path or self._is_paginated():
            errors.append("VALIDATION_ERROR")
        if self._is_idempotent():
            errors += [IdempotencyKeyInUse, IdempotencyKeyReused]
        if self.view.get_throttles():
            errors.append(Throttled(60))
        errors.append("INTERNAL_ERROR")
        if getattr(self.view, "needs_database", True):
            errors.append("SERVICE_UNAVAILABLE")
        return errors

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    def _example(self, error) -> dict:
        """The body of an error: what the exception (class) says, or the code's own message."""
        if not isinstance(error, str):
            return body_for(error if isinstance(error, Exception) else error())
        invalid = None  # for a 422: what the body, or the page parameters, really refuse
        if error == "VALIDATION_ERROR" and self._has_body() and self.get_request_serializer():
            serializer = force_instance(self.get_request_serializer())
            invalid = type(serializer)(data={}, partial=self.method == "PATCH")
        elif error == "VALIDATION_ERROR" and self._is_paginated():
            invalid = PageParamsSerializer(data={"limit": "0"})
        if invalid is None or invalid.is_valid():
            return error_body(error)
        name, messages = next(iter(invalid.errors.items()))
        return error_body(error, messages[0], {name: messages[:1]})
