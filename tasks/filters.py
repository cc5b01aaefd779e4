"""The list's filters (a django-filter FilterSet), search and ordering (DRF filter backends).

Strict where DRF and django-filter are lenient: an invalid value of a known parameter (empty,
repeated, malformed, a NUL) is a 422 whose `details` name the parameter, instead of being
skipped; unknown parameters are still ignored. The FilterSet also takes a plain dict
(`TaskFilter(data={"completed": True, "tag": ["work"]}, queryset=...)`), and `clean_search` /
`clean_ordering` work without a request, so other callers (bulk actions by filter, the MCP
tools) refuse the same things with the same messages.
"""

import functools
from collections.abc import Mapping

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, OrderBy, QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter

from api.fields import AWARE_DATETIME, parse_aware_datetime

from .models import Task
from .rules import MAX_TAGS, PRIORITY_VALUES, clean_tag, fold
from .schema import PRIORITY_SCHEMA, TAG_SCHEMA
from .selectors import task_search, task_with_tags

REPEATED = "Must be given only once."
TRUE_FALSE = "Must be true or false."
PRIORITIES = "Must be low, medium or high, or a comma list of them (high,medium)."
DATETIME = AWARE_DATETIME + " In a URL, percent-encode the + of an offset."
TOO_MANY_TAGS = f"At most {MAX_TAGS} tags."
SEARCH_LENGTH = "Search must be 1 to 200 characters."
NO_NUL = "Must not contain NUL characters."
ORDERING = (
    "Must be a comma list of created_at, updated_at, due_at, priority and title, each "
    "optionally prefixed with - (descending)."
)


# --- Form fields: what one parameter accepts ------------------------------------------------


class Repeated(list):
    """The values of a query parameter that was given more than once."""


class OneValueInput(forms.TextInput):
    """Reads a query parameter given once; a repeated one comes as Repeated (then refused). From
    a plain dict, the value as it is (a JSON filter object may hold lists and booleans)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            values = data.getlist(name)
            return None if not values else values[0] if len(values) == 1 else Repeated(values)
        return data.get(name)


class ParameterField(forms.Field):
    """A query parameter: absent is None; present, it must be one valid value."""

    widget = OneValueInput
    default_error_messages = {"invalid": "Invalid value.", "repeated": REPEATED}

    def clean(self, value):
        if value is None:
            return None
        if isinstance(value, Repeated):
            raise ValidationError(self.error_messages["repeated"], code="repeated")
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(NO_NUL, code="null_characters_not_allowed")
        return self.parse(value)

    def parse(self, value):  # pragma: no cover - every field below defines it
        raise NotImplementedError


class TrueFalseField(ParameterField):
    default_error_messages = {"invalid": TRUE_FALSE}

    def parse(self, value) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class PriorityListField(ParameterField):
    default_error_messages = {"invalid": PRIORITIES}

    def parse(self, value) -> list[int]:
        names = value.split(",") if isinstance(value, str) else value
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(name, str) and name in PRIORITY_VALUES for name in names)
        ):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({PRIORITY_VALUES[name] for name in names})


class AwareDateTimeField(ParameterField):
    default_error_messages = {"invalid": DATETIME}

    def parse(self, value):
        try:
            return parse_aware_datetime(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class TagListField(forms.Field):
    """`tag`, repeatable: each value a tag as tasks carry them (letter case ignored)."""

    widget = forms.MultipleHiddenInput

    def clean(self, value) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        if len(values) > MAX_TAGS:
            raise ValidationError(TOO_MANY_TAGS, code="invalid")
        if any("\x00" in tag for tag in values if isinstance(tag, str)):
            raise ValidationError(NO_NUL, code="null_characters_not_allowed")
        return [fold(clean_tag(tag, n)) for n, tag in enumerate(values, start=1)]


# --- The FilterSet ----------------------------------------------------------------------------


@extend_schema_field({"type": "boolean"})
class BooleanParameter(django_filters.Filter):
    field_class = TrueFalseField


@extend_schema_field(PRIORITY_SCHEMA)
class PriorityParameter(django_filters.Filter):
    field_class = PriorityListField


@extend_schema_field({"type": "string", "format": "date-time"})
class DateTimeParameter(django_filters.Filter):
    field_class = AwareDateTimeField


@extend_schema_field(TAG_SCHEMA)
class TagParameter(django_filters.Filter):
    field_class = TagListField


class TaskFilter(django_filters.FilterSet):
    """`completed`, `priority`, `tag`, `due_after`, `due_before`, `overdue`, `has_due`."""

    completed = BooleanParameter(help_text="`true` or `false`.")
    priority = PriorityParameter(
        field_name="priority",
        lookup_expr="in",
        help_text="One priority or a comma list: `high,medium`.",
    )
    tag = TagParameter(
        method="filter_tag",
        help_text="Repeatable (`tag=work&tag=home`): tasks that carry every given tag, letter "
        "case ignored.",
    )
    due_after = DateTimeParameter(
        field_name="due_at", lookup_expr="gte", help_text="`due_at` at or after this time."
    )
    due_before = DateTimeParameter(
        field_name="due_at", lookup_expr="lt", help_text="`due_at` before this time."
    )
    overdue = BooleanParameter(
        method="filter_overdue",
        help_text="`true`: open tasks whose `due_at` is past; `false`: all the others.",
    )
    has_due = BooleanParameter(method="filter_has_due", help_text="Whether `due_at` is set.")

    class Meta:
        model = Task
        fields: list[str] = []

    @classmethod
    @functools.cache
    def _form_class(cls):
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self):
        # The same fields for every request (a form copies its fields per instance anyway):
        # django-filter rebuilt them, with their labels, each time, a fifth of a filtered list.
        return self._form_class()

    def filter_tag(self, tasks: QuerySet[Task], name: str, keys: list[str]) -> QuerySet[Task]:
        return task_with_tags(tasks, keys)

    def filter_overdue(self, tasks: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        overdue = {"completed": False, "due_at__lt": timezone.now()}
        return tasks.filter(**overdue) if value else tasks.exclude(**overdue)

    def filter_has_due(self, tasks: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        return tasks.filter(due_at__isnull=not value)


def filter_tasks(tasks: QuerySet[Task], params: Mapping) -> QuerySet[Task]:
    """`tasks` narrowed by the list's filter parameters (a QueryDict or a plain dict); an
    invalid value is a ValidationError keyed by the parameter."""
    filterset = TaskFilter(data=params, queryset=tasks)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


# --- Search and ordering -----------------------------------------------------------------------


def clean_search(value) -> str:
    """The `search` text: 1..200 characters, no NUL."""
    if not isinstance(value, str) or not 1 <= len(value) <= 200:
        raise ValidationError(SEARCH_LENGTH, code="invalid")
    if "\x00" in value:
        raise ValidationError(NO_NUL, code="null_characters_not_allowed")
    return value


ORDERING_FIELDS = {
    "created_at": F("created_at"),
    "updated_at": F("updated_at"),
    "due_at": F("due_at"),
    "priority": F("priority"),  # stored 1..3: low < medium < high
    "title": F("title_folded"),  # letter case ignored
}


def clean_ordering(value) -> list[OrderBy]:
    """`-due_at,title` -> ORDER BY expressions, ending with `-id` (the tie-breaker). Tasks
    without `due_at` come last in either direction; a field named twice counts once."""
    if not isinstance(value, str) or "\x00" in value or len(value) > 200:
        raise ValidationError(ORDERING, code="invalid")
    terms: dict[str, OrderBy] = {}
    for item in value.split(","):
        name = item.removeprefix("-")
        if name not in ORDERING_FIELDS:
            raise ValidationError(ORDERING, code="invalid")
        field = ORDERING_FIELDS[name]
        descending = item.startswith("-")
        nulls = {"nulls_last": True} if name == "due_at" else {}
        terms.setdefault(name, field.desc(**nulls) if descending else field.asc(**nulls))
    return [*terms.values(), F("id").desc()]


def _one(params: Mapping, name: str):
    """A parameter given at most once (None when absent), else a 422 naming it."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    if len(values) > 1:
        raise exceptions.ValidationError({name: [REPEATED]})
    return values[0] if values else None


def _as_422(name: str, error: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: error.messages})


def list_shape(params) -> tuple | None:
    """The list's filter, search and ordering parameters as given (a QueryDict), in a fixed
    order: everything its SQL depends on but the owner and the page, so a key for
    api.compiled.CompiledPages. None when the SQL depends on more (`overdue` holds the time of
    the request). Parameters the list does not know are left out, as they are ignored."""
    if "overdue" in params:
        return None
    return tuple((name, tuple(params.getlist(name))) for name in LIST_PARAMETERS if name in params)


class TaskFilterBackend(DjangoFilterBackend):
    """django-filter's backend with TaskFilter; skipped when no filter parameter is present."""

    def filter_queryset(self, request, queryset, view):
        if request.query_params.keys().isdisjoint(TaskFilter.base_filters):
            return queryset  # the common, unfiltered list costs no form
        return super().filter_queryset(request, queryset, view)


class TaskSearchFilter(SearchFilter):
    """`?search=`: every word in the title or the description (selectors.task_search)."""

    search_description = (
        "1 to 200 characters: every whitespace-separated word must occur in the title or the "
        "description, as plain text, letter case ignored."
    )

    def filter_queryset(self, request, queryset, view):
        if self.search_param not in request.query_params:
            return queryset
        value = _one(request.query_params, self.search_param)
        try:
            return task_search(queryset, clean_search(value))
        except ValidationError as error:
            raise _as_422(self.search_param, error) from None

    def get_schema_operation_parameters(self, view):
        [parameter] = super().get_schema_operation_parameters(view)
        parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 200,
                               "pattern": "^[^\\u0000]*$"}  # fmt: skip
        return [parameter]


class TaskOrderingFilter(OrderingFilter):
    """`?ordering=`: a comma list of fields, each optionally descending; ties go to `-id`."""

    ordering_fields = list(ORDERING_FIELDS)
    ordering_description = (
        "Comma list of `created_at`, `updated_at`, `due_at`, `priority` (low < medium < high) "
        "and `title` (letter case ignored), each optionally prefixed with `-`. Default "
        "`-created_at`. Tasks without `due_at` come last either way; ties fall back to `-id`."
    )

    def get_ordering(self, request, queryset, view):
        if self.ordering_param not in request.query_params:
            return None  # task_list's order is the default: `-created_at`, `-id`
        try:
            return clean_ordering(_one(request.query_params, self.ordering_param))
        except ValidationError as error:
            raise _as_422(self.ordering_param, error) from None

    def get_schema_operation_parameters(self, view):
        [parameter] = super().get_schema_operation_parameters(view)
        term = f"-?(?:{'|'.join(ORDERING_FIELDS)})"
        parameter["schema"] = {"type": "string", "pattern": f"^{term}(?:,{term})*$",
                               "default": "-created_at", "maxLength": 200}  # fmt: skip
        return [parameter]


LIST_PARAMETERS = (
    *TaskFilter.base_filters,
    TaskSearchFilter.search_param,
    TaskOrderingFilter.ordering_param,
)
