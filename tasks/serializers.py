"""Task request and response shapes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictDateTimeField,
    StrictIntegerField,
)
from api.pagination import QueryIntegerField

from .bulk import ACTIONS, IN_TRASH
from .changes import CURSOR_INVALID, InvalidCursor, read_cursor
from .filters import TaskFilter, filter_tasks
from .models import Task
from .recurrence import MAX_LENGTH as MAX_RULE_LENGTH
from .recurrence import Messages as RuleMessages
from .recurrence import parse_rule
from .rules import (
    MAX_TAGS,
    PRIORITY_NAMES,
    normalize_tags,
    parse_priority,
)
from .rules import Messages as FieldMessages
from .schema import PRIORITY_SCHEMA, TAGS_SCHEMA
from .selectors import TASK_ROW_FIELDS

TITLE_LENGTH = "Title must be between 1 and 200 characters."


@extend_schema_field(PRIORITY_SCHEMA)
class PriorityField(serializers.Field):
    """`"low"`, `"medium"` or `"high"`, stored as 1/2/3 (so that it orders by rank)."""

    default_error_messages = {"null": FieldMessages.PRIORITY}

    def to_internal_value(self, data) -> int:
        return parse_priority(data)

    def to_representation(self, value: int) -> str:
        return PRIORITY_NAMES[value]


@extend_schema_field(TAGS_SCHEMA)
class TagsField(serializers.Field):
    """A list of tags, normalized as rules.normalize_tags says (the messages are its)."""

    default_error_messages = {"null": FieldMessages.TAGS_TYPE}

    def to_internal_value(self, data) -> list[str]:
        return normalize_tags(data)

    def to_representation(self, value) -> list[str]:
        return list(value)


class RecurrenceField(StrictCharField):
    """A recurrence rule as recurrence.parse_rule accepts it (its messages), or null."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if len(value) > MAX_RULE_LENGTH:
            self.fail("max_length", max_length=MAX_RULE_LENGTH)
        if "\x00" in value:
            raise serializers.ValidationError("Null characters are not allowed.")
        parse_rule(value)
        return value


class TaskInputSerializer(serializers.Serializer):
    """What a task write accepts (create, PUT, PATCH, the MCP tools): the writable fields.

    A plain Serializer: DRF builds a serializer's fields for every instance, and a
    ModelSerializer's also from the model (with its read-only fields and validators), which
    was a fifth of a create's time. TaskSerializer adds the read-only fields for the schema.
    """

    title = StrictCharField(
        max_length=200,
        error_messages={
            "blank": TITLE_LENGTH,
            "max_length": TITLE_LENGTH,
            "required": "Title is required.",
            "null": "Title may not be null.",
            "invalid": "Title must be a string.",
        },
    )
    description = StrictCharField(
        max_length=1000,
        allow_null=True,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        error_messages={
            "max_length": "Description must be at most 1000 characters.",
            "invalid": "Description must be a string or null.",
        },
    )
    completed = StrictBooleanField(required=False)
    priority = PriorityField(required=False, help_text="low < medium < high; default medium.")
    tags = TagsField(
        required=False,
        help_text=f"At most {MAX_TAGS}; each trimmed, 1-50 characters, no commas or control "
        "characters; duplicates differing only in letter case keep the first spelling. "
        "Sending `tags` replaces the whole list.",
    )
    due_at = StrictDateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z."
    )
    remind_at = StrictDateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset or Z."
    )
    recurrence = RecurrenceField(
        required=False,
        allow_null=True,
        max_length=MAX_RULE_LENGTH,
        error_messages={
            "blank": "Recurrence must be a rule or null.",
            "max_length": RuleMessages.TOO_LONG,
        },
        help_text="An RFC 5545 RRULE without the `RRULE:` prefix (FREQ=DAILY, WEEKLY, MONTHLY "
        "or YEARLY; INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, BYYEARDAY, "
        "BYWEEKNO, WKST as the FREQ allows); needs a `due_at`. Completing the task creates "
        "its next occurrence.",
    )

    def validate(self, attrs):
        # PUT is a partial update that still requires a title (absent fields stay unchanged).
        if self.context.get("require_title") and "title" not in attrs:
            raise serializers.ValidationError({"title": ["Title is required."]})
        if attrs.get("recurrence") and "due_at" in attrs and attrs["due_at"] is None:
            raise serializers.ValidationError({"recurrence": [RuleMessages.NEEDS_DUE]})
        return attrs


class TaskSerializer(serializers.ModelSerializer, TaskInputSerializer):
    """A task; `id`, `user_id` and the timestamps are read-only (ignored when sent)."""

    user_id = serializers.CharField(read_only=True, max_length=255)  # the owner's id (`sub`)
    completed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it last became completed; null while it is not.",
    )
    next_occurrence_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The task that completing this recurring task created (at most one, ever).",
    )
    version = serializers.IntegerField(
        read_only=True,
        min_value=1,
        help_text="Grows by one with every change (restore included); the ETag follows it.",
    )
    deleted_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it went to the trash; null outside it."
    )

    class Meta:
        model = Task
        fields = list(TASK_ROW_FIELDS)  # what the row path renders (test_row_serializer pins it)
        read_only_fields = ["id", "created_at", "updated_at"]


class TagCountSerializer(serializers.Serializer):
    """One of the caller's tags, and how many of their tasks carry it (the schema's shape)."""

    name = serializers.CharField()
    count = serializers.IntegerField(min_value=1)


class TaskCompleteSerializer(serializers.Serializer):
    """Body of PATCH .../complete: `{"completed": bool}` sets, no body (or no key) toggles."""

    completed = StrictBooleanField(required=False)


MAX_BULK_IDS = 500
FILTER_VALUE_REQUIRED = "Must have a value."
MAX_TASK_ID = 2**63 - 1


class TaskBulkSerializer(serializers.Serializer):
    """Body of POST .../bulk: an action and either `ids` or a `filter` (the list's parameters,
    resolved here to ids among the tasks the action applies to: `context["tasks"]` /
    `context["trash"]`)."""

    action = serializers.ChoiceField(choices=ACTIONS)
    ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_TASK_ID),
        min_length=1,
        max_length=MAX_BULK_IDS,
        required=False,
        help_text=f"1 to {MAX_BULK_IDS} distinct task ids.",
    )
    filter = serializers.DictField(
        required=False,
        help_text='The list\'s filter parameters, e.g. `{"completed": true}`; '
        "with `restore` and `purge` they select among the trashed tasks.",
    )

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(_flat(error.detail)) from None

    def validate_ids(self, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("Ids must not repeat.")
        return ids

    def validate(self, attrs):
        if ("ids" in attrs) == ("filter" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give either ids or filter (one of them)."]}
            )
        if "filter" in attrs:
            unknown = sorted(set(attrs["filter"]) - set(TaskFilter.base_filters))
            if unknown:  # a typo must not widen a bulk delete to every task
                raise serializers.ValidationError(
                    {"filter": [f"{name}: Unknown filter parameter." for name in unknown]}
                )
            empty = sorted(name for name, value in attrs["filter"].items() if value in (None, []))
            if empty:  # null or [] would mean "no filter", and so every task: a 422 instead
                raise serializers.ValidationError(
                    {"filter": [f"{name}: {FILTER_VALUE_REQUIRED}" for name in empty]}
                )
            tasks = self.context["trash" if attrs["action"] in IN_TRASH else "tasks"]
            try:
                matched = filter_tasks(tasks, attrs["filter"])
            except DjangoValidationError as error:
                raise serializers.ValidationError(_flat({"filter": error.message_dict})) from None
            attrs["ids"] = list(matched.order_by("id").values_list("id", flat=True))
        return attrs


def _flat(detail) -> dict:
    """`{field: [messages]}` however deep DRF nested them (`{"ids": {3: [...]}}` becomes
    `{"ids": ["3: ..."]}`): the error envelope's `details` are lists of strings."""
    if not isinstance(detail, dict):
        return {"non_field_errors": _messages(detail)}
    return {name: _messages(value) for name, value in detail.items()}


def _messages(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [m for key, inner in value.items() for m in _messages(inner, f"{prefix}{key}: ")]
    if isinstance(value, list):
        return [m for inner in value for m in _messages(inner, prefix)]
    return [f"{prefix}{value}"]


class TaskBulkResultSerializer(serializers.Serializer):
    """What a bulk action did: the ids it applied to, and those it could not find."""

    succeeded = serializers.ListField(child=serializers.IntegerField())
    not_found = serializers.ListField(child=serializers.IntegerField())


class ChangesParamsSerializer(serializers.Serializer):
    """`?cursor=` (opaque, from a previous answer to `context["user_id"]`; absent: from the
    beginning), validated to the change number `after`; and `?limit=`."""

    cursor = serializers.CharField(
        required=False, max_length=2000, trim_whitespace=False, allow_blank=True
    )
    limit = QueryIntegerField(min_value=1, max_value=1000, default=500)

    def validate_cursor(self, value: str) -> int:
        try:
            return read_cursor(user_id=self.context["user_id"], cursor=value)
        except InvalidCursor:
            raise serializers.ValidationError(CURSOR_INVALID) from None

    def validate(self, attrs):
        return {"after": attrs.pop("cursor", 0), **attrs}


class PurgedSerializer(serializers.Serializer):
    """A purged task in the change feed."""

    id = serializers.IntegerField()
    purged = serializers.BooleanField(help_text="Always true.")


class TrashEmptiedSerializer(serializers.Serializer):
    purged = serializers.IntegerField(help_text="How many tasks were removed for good.")


class TaskRowSerializer(serializers.BaseSerializer):
    """Read-only fast path: renders a task row (dict) or a Task as TaskSerializer does.

    Building model instances and running each through a ModelSerializer's fields (which it
    rebuilds for every request) was over half of a list request's time and a tenth of a single
    task's (see bench/RESULTS.md). A row is the `.values()` dict with the priority named; its
    datetimes stay datetimes, which the renderer (orjson, `OPT_UTC_Z`) writes as DRF does,
    `...Z` (formatting them here in Python was most of this serializer's cost). A test pins the
    rendered JSON equal to TaskSerializer's. TaskSerializer still validates every write and
    documents the shape.
    """

    def to_representation(self, row) -> dict:
        if not isinstance(row, dict):
            row = {name: getattr(row, name) for name in TASK_ROW_FIELDS}
        return {**row, "priority": PRIORITY_NAMES[row["priority"]]}
