"""OpenAPI descriptions of the planning fields and the list's parameters: types, enums and
patterns that say what rules.py and recurrence.py really accept (Schemathesis holds them to it)."""

from api.openapi.components import STRIPPED

from .rules import MAX_TAG_LENGTH, MAX_TAGS, PRIORITY_VALUES

PRIORITY_SCHEMA = {"type": "string", "enum": list(PRIORITY_VALUES)}

# A tag: trimmed like str.strip(), then 1..50 characters with no comma and no control character.
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
_SOLID = f"[^{_CONTROL},{STRIPPED}]"
_INNER = f"[^{_CONTROL},]"
TAG_PATTERN = f"^[{STRIPPED}]*{_SOLID}(?:{_INNER}{{0,{MAX_TAG_LENGTH - 2}}}{_SOLID})?[{STRIPPED}]*$"
TAG_SCHEMA = {"type": "string", "pattern": TAG_PATTERN}
TAGS_SCHEMA = {"type": "array", "items": TAG_SCHEMA, "maxItems": MAX_TAGS}
