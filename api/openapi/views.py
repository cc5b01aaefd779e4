"""GET /api/schema: JSON unless YAML is asked for (`Accept` or `?format=yaml`)."""

from drf_spectacular import renderers
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation


class FormatParameterNegotiation(DefaultContentNegotiation):
    """`?format=` picks the renderer here only: the API itself turns DRF's format override off
    (`URL_FORMAT_OVERRIDE = None`), since the contract ignores unknown query parameters."""

    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = format_suffix or request.query_params.get("format")
        return super().select_renderer(request, renderers, chosen)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema; the first renderer, plain JSON, is the default."""

    content_negotiation_class = FormatParameterNegotiation
    renderer_classes = [
        renderers.OpenApiJsonRenderer2,  # application/json
        renderers.OpenApiJsonRenderer,  # application/vnd.oai.openapi+json
        renderers.OpenApiYamlRenderer2,  # application/yaml
        renderers.OpenApiYamlRenderer,  # application/vnd.oai.openapi
    ]
