"""Limit/offset pagination with strict bounds; the page's numbers go to the envelope's `meta`."""

import re
from collections.abc import Callable, Hashable

from django.db.models import Count, Field, QuerySet, Window
from rest_framework import pagination, serializers
from rest_framework.response import Response

from .compiled import CompiledPages
from .envelope import envelope_schema


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter: ASCII digits (optional minus), given once.

    DRF's IntegerField also takes "1.0", " 5", "+5", "1_0" and non-ASCII digits (anything
    Python's int() takes), and the QueryDict would silently pick one of `?limit=5&limit=6`.
    """

    default_error_messages = {
        "invalid": "Must be an integer.",
        "repeated": "Must be given only once.",
    }
    _INTEGER = re.compile(r"-?[0-9]+")

    def to_internal_value(self, data):
        if isinstance(data, list):
            if len(data) != 1:
                self.fail("repeated")
            data = data[0]
        if not isinstance(data, str) or not self._INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class PageParamsSerializer(serializers.Serializer):
    """`limit` 1..500 (default 100) and `offset` >= 0 (default 0); anything else is a 422."""

    limit = QueryIntegerField(min_value=1, max_value=500, default=100)
    offset = QueryIntegerField(min_value=0, max_value=2**62, default=0)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset paginator that validates its parameters instead of ignoring bad ones."""

    default_limit = 100
    max_limit = 500

    def read_params(self, request) -> None:
        """`limit` and `offset` from the query string (a 422 when invalid)."""
        # A plain dict, not the QueryDict: DRF reads an empty `?limit=` from a form as "absent".
        # A repeated parameter stays a list, which the field refuses.
        self.request = request
        if "limit" in request.query_params or "offset" in request.query_params:
            query = {name: v[0] if len(v) == 1 else v for name, v in request.query_params.lists()}
            params = PageParamsSerializer(data=query)
            params.is_valid(raise_exception=True)
            self.limit = params.validated_data["limit"]
            self.offset = params.validated_data["offset"]
        else:  # neither given (most lists): the defaults, without a serializer's validation run
            self.limit, self.offset = self.default_limit, 0

    def paginate_queryset(self, queryset, request, view=None):
        self.read_params(request)
        # The total rides along on every row (COUNT(*) OVER ()): one query instead of two. Both
        # databases return it as an int: a plain Field spares Django's per-row int() converter.
        window = queryset.annotate(_total=Window(Count("pk"), output_field=Field()))
        rows = list(window[self.offset : self.offset + self.limit])
        if rows:
            self.count = rows[0].pop("_total") if isinstance(rows[0], dict) else rows[0]._total
            for row in rows[1:]:
                row.pop("_total") if isinstance(row, dict) else None
        else:  # past the end (or empty): only now is a separate count needed
            self.count = queryset.count() if self.offset else 0
        return rows

    def paginate_compiled(
        self, request, pages: CompiledPages, key: Hashable | None, build: Callable[[], QuerySet]
    ) -> list[dict]:
        """A page of `build()`'s rows, as paginate_queryset gives it, through `pages` (its SQL
        compiled once per shape `key`; see api.compiled): `build` is called only for a shape
        not seen before, or to count a list when asked past its end."""
        self.read_params(request)
        rows, total = pages.page(
            key, build, owner=request.user.pk, limit=self.limit, offset=self.offset
        )
        if rows:
            self.count = total
        else:
            self.count = build().count() if self.offset else 0
        return rows

    def get_meta(self) -> dict:
        return {
            "count": self.count,
            "limit": self.limit,
            "offset": self.offset,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }

    def get_paginated_response(self, data):
        response = Response(data)
        response.envelope_meta = self.get_meta()
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """OpenAPI: a page is the success envelope with the rows in `data` and `meta`."""
        return envelope_schema(schema, paginated=True)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """OpenAPI: `limit` and `offset` with the bounds PageParamsSerializer enforces."""
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Rows per page; out of range or not an integer: 422.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "description": "Rows to skip; negative or not an integer: 422.",
                "schema": {"type": "integer", "minimum": 0, "maximum": 2**62, "default": 0},
            },
        ]


CURSOR_META = {
    "type": "object",
    "properties": {
        "cursor": {
            "type": "string",
            "description": "Opaque: send it back as `cursor` for the changes after this page.",
        },
        "has_more": {"type": "boolean", "description": "More changes wait: ask again now."},
    },
    "required": ["cursor", "has_more"],
    "example": {"cursor": "WyI3IiwgNDJd:1t...:Zm9v", "has_more": False},
}


class CursorFeedPagination(pagination.BasePagination):
    """The schema of a cursor-paged feed (the view fills `meta` itself): `data` a page of
    items, `meta` `{cursor, has_more}`, and the `cursor` and `limit` parameters."""

    max_limit = 1000
    default_limit = 500

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return envelope_schema(schema, meta=CURSOR_META)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "`meta.cursor` of the previous answer; absent: from the beginning. "
                "An edited cursor, or another user's: 422.",
                "schema": {"type": "string", "maxLength": 2000},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Changes per page; out of range or not an integer: 422.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
        ]
