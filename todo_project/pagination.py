"""Limit/offset pagination with strict bounds; the page's numbers go to the envelope's `meta`."""

from django.db.models import Count, Window
from rest_framework import pagination, serializers
from rest_framework.response import Response


class PageParamsSerializer(serializers.Serializer):
    """`limit` 1..500 (default 100) and `offset` >= 0 (default 0); anything else is a 422."""

    limit = serializers.IntegerField(
        min_value=1,
        max_value=500,
        default=100,
        error_messages={"invalid": "Must be an integer."},
    )
    offset = serializers.IntegerField(
        min_value=0,
        max_value=2**62,
        default=0,
        error_messages={"invalid": "Must be an integer."},
    )


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset paginator that validates its parameters instead of ignoring bad ones."""

    default_limit = 100
    max_limit = 500

    def paginate_queryset(self, queryset, request, view=None):
        # A plain dict, not the QueryDict: DRF reads an empty `?limit=` from a form as "absent".
        params = PageParamsSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        self.request = request
        self.limit = params.validated_data["limit"]
        self.offset = params.validated_data["offset"]
        # The total rides along on every row (COUNT(*) OVER ()): one query instead of two.
        window = queryset.annotate(_total=Window(Count("pk")))
        rows = list(window[self.offset : self.offset + self.limit])
        if rows:
            self.count = rows[0].pop("_total") if isinstance(rows[0], dict) else rows[0]._total
            for row in rows[1:]:
                row.pop("_total") if isinstance(row, dict) else None
        else:  # past the end (or empty): only now is a separate count needed
            self.count = queryset.count() if self.offset else 0
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
