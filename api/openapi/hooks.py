"""drf-spectacular hooks (SPECTACULAR_SETTINGS): the contract's paths, the shared components."""

from .components import COMPONENTS


def normalize_paths(endpoints, **kwargs):
    """Preprocessing: paths as the contract writes them, without the optional trailing `/`."""
    return [(path.rstrip("/"), regex, method, view) for path, regex, method, view in endpoints]


def add_components(result, generator, request, public):
    """Postprocessing: the components the error responses and pages refer to."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    return result
