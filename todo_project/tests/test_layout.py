"""The layers: each package imports only from the packages below it (read from the source).

todo_project (wiring) -> chat -> tasks -> accounts -> api (HTTP conventions) -> Django/DRF. No
runtime module imports test code (`testing`, any `tests` package, a conftest).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each runtime package may import of ours, besides itself.
MAY_IMPORT = {
    "api": set(),
    "accounts": {"api"},
    "tasks": {"api", "accounts"},
    "chat": {"api", "accounts", "tasks"},  # the MCP tools and the assistant, over tasks' services
    "todo_project": {"api", "accounts", "tasks", "chat"},
}
OURS = {*MAY_IMPORT, "testing", "conftest", "e2e", "reliability", "bench", "interop"}


def runtime_modules(package: str) -> list[Path]:
    return [p for p in (ROOT / package).rglob("*.py") if "tests" not in p.relative_to(ROOT).parts]


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it (relative imports resolved)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            found.add(".".join([*base, *([node.module] if node.module else [])]))
    return found


def dotted_strings(path: Path) -> set[str]:
    """String constants that name one of our modules (settings-style dotted paths)."""
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.split(".")[0] in OURS
        and "." in node.value
        and " " not in node.value
    }


@pytest.mark.parametrize("package", list(MAY_IMPORT))
def test_a_package_imports_only_from_the_layers_below_it(package):
    allowed = MAY_IMPORT[package] | {package}
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in runtime_modules(package)
        for module in imported_modules(path) | dotted_strings(path)
        if module.split(".")[0] in OURS - allowed
    }

    assert wrong == set()


def test_api_imports_nothing_of_ours_but_itself():
    # The strictest rule, spelled out: api/ knows no domain and no project (settings come
    # through django.conf).
    modules = {m for path in runtime_modules("api") for m in imported_modules(path)}

    assert {m.split(".")[0] for m in modules} & OURS <= {"api"}
    assert len(runtime_modules("api")) >= 10  # the walk found the package


def test_the_walk_sees_relative_and_nested_imports():
    module = ROOT / "api" / "openapi" / "schema.py"

    assert {"api.envelope", "api.errors", "api.openapi.components"} <= imported_modules(module)
