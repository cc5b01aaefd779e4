"""Limit/offset pagination with strict bounds; the page's numbers go to the envelope's `meta`."""

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
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.request = request
        self.limit = params.validated_data["limit"]
        self.offset = params.validated_data["offset"]
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset >= self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

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
