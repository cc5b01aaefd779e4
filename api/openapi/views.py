"""GET /api/schema."""

from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: JSON unless YAML is asked for (`Accept` or `?format=yaml`)."""

    renderer_classes = [
        OpenApiJsonRenderer2,  # application/json: the default
        OpenApiJsonRenderer,  # application/vnd.oai.openapi+json
        OpenApiYamlRenderer2,  # application/yaml
        OpenApiYamlRenderer,  # application/vnd.oai.openapi
    ]
