"""GET /api/schema: JSON unless YAML is asked for (`Accept` or `?format=yaml`)."""

from drf_spectacular import renderers
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema; the first renderer, plain JSON, is the default."""

    renderer_classes = [
        renderers.OpenApiJsonRenderer2,  # application/json
        renderers.OpenApiJsonRenderer,  # application/vnd.oai.openapi+json
        renderers.OpenApiYamlRenderer2,  # application/yaml
        renderers.OpenApiYamlRenderer,  # application/vnd.oai.openapi
    ]
