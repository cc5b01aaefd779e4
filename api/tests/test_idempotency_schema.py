"""OpenAPI: `@idempotent` operations document the Idempotency-Key header, the replay's
Idempotent-Replayed header, and their 409 and 422; the others none of it."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

IDEMPOTENT = {("post", ""), ("patch", "/{task_id}/complete")}
OTHERS = {("get", ""), ("get", "/{task_id}"), ("put", "/{task_id}"), ("patch", "/{task_id}"),
          ("delete", "/{task_id}")}  # fmt: skip
MOUNTS = ["/api/tasks", "/api/{user_id}/tasks"]


@pytest.fixture(scope="module")
def spec() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(spec, which):
    return [(m, f"{mount}{suffix}") for mount in MOUNTS for m, suffix in which]


def _header(op: dict) -> dict | None:
    return next((p for p in op.get("parameters", []) if p["name"] == "Idempotency-Key"), None)


def _codes(op: dict, status: str) -> list[str]:
    return list(op["responses"].get(status, {}).get("content", {}).get("application/json", {})
                .get("examples", {}))  # fmt: skip


def test_idempotent_operations_document_the_key_the_replay_and_their_errors(spec):
    for method, path in _operations(spec, IDEMPOTENT):
        op = spec["paths"][path][method]
        header = _header(op)
        assert header["in"] == "header"
        assert header["schema"] == {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[!-~]{1,255}$",
        }
        assert "IDEMPOTENCY_KEY_REUSED" in header["description"]
        [success] = [status for status in op["responses"] if status.startswith("2")]
        replayed = op["responses"][success]["headers"]["Idempotent-Replayed"]
        assert replayed["schema"] == {"type": "string", "enum": ["true"]}
        assert _codes(op, "409") == ["CONFLICT"]
        assert {"VALIDATION_ERROR", "IDEMPOTENCY_KEY_REUSED"} <= set(_codes(op, "422"))
        conflict = op["responses"]["409"]["content"]["application/json"]["examples"]["CONFLICT"]
        assert "Idempotency-Key is still running" in conflict["value"]["error"]["message"]


def test_other_operations_document_none_of_it(spec):
    for method, path in _operations(spec, OTHERS):
        op = spec["paths"][path][method]
        assert _header(op) is None
        assert "409" not in op["responses"]
        assert "IDEMPOTENCY_KEY_REUSED" not in _codes(op, "422")


@pytest.mark.parametrize("key", ["", "k" * 256, "clé", "tab\there", "with space", "del\x7f"])
def test_the_documented_pattern_refuses_what_the_server_refuses(spec, key):
    header = _header(spec["paths"]["/api/tasks"]["post"])
    assert not re.fullmatch(header["schema"]["pattern"].strip("^$"), key)


@pytest.mark.parametrize("key", ["k" * 255, "!", "~", "a-b_c.d:e/f+g=h"])
def test_the_documented_pattern_accepts_what_the_server_accepts(spec, key):
    header = _header(spec["paths"]["/api/tasks"]["post"])
    assert re.fullmatch(header["schema"]["pattern"].strip("^$"), key)
