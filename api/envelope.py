"""EnvelopeJSONRenderer: wraps every success body as `{"success", "data", "message"[, "meta"]}`."""

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


def _default(value):
    """Types orjson does not know: lazy strings, Decimals and whatever DRF's encoder handles."""
    if isinstance(value, Promise):
        return str(value)
    return _fallback.default(value)


class EnvelopeJSONRenderer(JSONRenderer):
    """JSON via orjson; success bodies wrapped, error bodies left as the handler built them.

    A view puts the message on `response.envelope_message` and list metadata on
    `response.envelope_meta`; nothing else builds an envelope.
    """

    charset = None  # application/json is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code < 400 and data is not None:
            data = self.envelope(data, response)
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATACLASS)

    @staticmethod
    def envelope(data, response) -> dict:
        body = {
            "success": True,
            "data": data,
            "message": getattr(response, "envelope_message", None) or "OK",
        }
        meta = getattr(response, "envelope_meta", None)
        if meta is not None:
            body["meta"] = meta
        return body
