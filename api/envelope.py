"""The success envelope: `{"success", "data", "message"[, "meta"]}`; its renderer and its schema."""

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()
# OPT_NON_STR_KEYS: a list item's validation errors are keyed by its index ({1: [...]}).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
PAGE_META_EXAMPLE = {"count": 1, "limit": 100, "offset": 0, "next": None, "previous": None}


def _default(value):
    """Types orjson does not know: lazy strings, Decimals and whatever DRF's encoder handles."""
    if isinstance(value, Promise):
        return str(value)
    return _fallback.default(value)


def json_bytes(data) -> bytes:
    """`data` as the renderer writes it (also what an Idempotency-Key keeps): aware datetimes
    as DRF writes them, UTC as `Z` (TaskRowSerializer leaves rows' datetimes to orjson)."""
    return orjson.dumps(data, default=_default, option=_OPTIONS)


def envelope_message(view, method: str) -> str | None:
    """The message a view gives its success answers: `view.messages` by action (or method)."""
    key = getattr(view, "action", None) or method.lower()
    return getattr(view, "messages", {}).get(key)


class EnvelopeJSONRenderer(JSONRenderer):
    """JSON via orjson; success bodies wrapped, error bodies left as api.errors built them.

    The message comes from the view (`messages`), list metadata from the paginator
    (`response.envelope_meta`); nothing else builds an envelope.
    """

    charset = None  # application/json is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code < 400 and data is not None:
            request = context.get("request")
            message = envelope_message(context.get("view"), getattr(request, "method", "GET"))
            data = {"success": True, "data": data, "message": message or "OK"}
            meta = getattr(response, "envelope_meta", None)
            if meta is not None:
                data["meta"] = meta
        if data is None:
            return b""
        return json_bytes(data)


def envelope_schema(data: dict, *, paginated: bool = False, meta: dict | None = None) -> dict:
    """OpenAPI: the success envelope around `data` (a page: plus `meta`). Each property but
    `data` has an example, from which drf-spectacular builds a list's example around a row's."""
    schema = {
        "type": "object",
        "properties": {
            "success": {"type": "boolean", "enum": [True], "example": True},
            "data": data,
            "message": {"type": "string", "description": "A short summary.", "example": "OK"},
        },
        "required": ["success", "data", "message"],
    }
    if paginated and meta is None:
        meta = {"allOf": [{"$ref": "#/components/schemas/PageMeta"}], "example": PAGE_META_EXAMPLE}
    if meta is not None:
        schema["properties"]["meta"] = meta
        schema["required"].append("meta")
    return schema
