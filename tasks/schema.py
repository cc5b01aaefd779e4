"""OpenAPI descriptions of the planning fields and the list's parameters: types, enums and
patterns that say what rules.py and recurrence.py really accept (Schemathesis holds them to it)."""

from drf_spectacular.utils import OpenApiParameter

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


def _query(name: str, schema: dict, description: str, **style) -> OpenApiParameter:
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=description, **style)


BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
# The list's filters (tasks/filters.py), each with the schema of what it accepts.
FILTER_PARAMETERS = [
    _query("completed", BOOLEAN, "`true` or `false`."),
    _query(
        "priority",
        {"type": "array", "items": PRIORITY_SCHEMA, "minItems": 1},
        "One priority or a comma list: `high,medium`.",
        style="form",
        explode=False,
    ),
    _query(
        "tag",
        {"type": "array", "items": TAG_SCHEMA, "maxItems": MAX_TAGS},
        "Repeatable (`tag=work&tag=home`): tasks that carry every given tag, letter case ignored.",
        style="form",
        explode=True,
    ),
    _query("due_after", DATE_TIME, "`due_at` at or after this time (with an offset or `Z`)."),
    _query("due_before", DATE_TIME, "`due_at` before this time (with an offset or `Z`)."),
    _query("overdue", BOOLEAN, "`true`: open tasks whose `due_at` is past; `false`: the others."),
    _query("has_due", BOOLEAN, "Whether `due_at` is set."),
]
