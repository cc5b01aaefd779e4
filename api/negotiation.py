"""Content negotiation: DRF's, with the Accept headers nearly every client sends answered
without parsing them."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's DefaultContentNegotiation. A view with one renderer, asked with no Accept header,
    `*/*` or exactly the renderer's media type (what fetch, curl and the API clients send), gets
    the answer DRF's parsing of the header would give, known in advance; any other header (a
    list, parameters, q-values, another type: a 406) goes through DRF's own negotiation."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if format_suffix is None and len(renderers) == 1:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            if accept is None or accept == "*/*" or accept == renderer.media_type:
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
