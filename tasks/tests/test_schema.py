"""tasks/schema.py: the OpenAPI schema says what the planning fields and list parameters accept."""

import re

import pytest
from django.core.exceptions import ValidationError

from tasks.rules import clean_tag
from tasks.schema import TAG_PATTERN

pytestmark = pytest.mark.django_db

ALL_CHARACTERS = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]


def _accepted(tag: str) -> bool:
    try:
        clean_tag(tag)
    except ValidationError:
        return False
    return True


def test_the_tag_pattern_accepts_exactly_the_tags_the_server_accepts():
    pattern = re.compile(TAG_PATTERN)
    samples = [*ALL_CHARACTERS, *(f" a{c}b " for c in ALL_CHARACTERS[:0x3100])]
    samples += ["x" * 50, " " + "x" * 50 + "\t", "x" * 51, "a,b", "", "   ", "a\u3000b"]

    wrong = [s for s in samples if bool(pattern.fullmatch(s)) != _accepted(s)]

    assert wrong == []


@pytest.fixture
def spec(api_client) -> dict:
    return api_client.get("/api/schema?format=json").json()


def test_the_list_documents_every_filter_search_and_ordering(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/tasks"]["get"]["parameters"]}

    assert set(parameters) == {
        "completed", "priority", "tag", "due_after", "due_before", "overdue", "has_due",
        "search", "ordering", "limit", "offset", "If-None-Match",
    }  # fmt: skip
    assert parameters["priority"]["schema"]["items"]["enum"] == ["low", "medium", "high"]
    assert (parameters["priority"]["style"], parameters["priority"]["explode"]) == ("form", False)
    assert parameters["tag"]["explode"] is True
    assert parameters["tag"]["schema"]["maxItems"] == 20
    assert parameters["due_after"]["schema"] == {"type": "string", "format": "date-time"}
    assert parameters["completed"]["schema"] == {"type": "boolean"}
    assert parameters["search"]["schema"]["maxLength"] == 200
    assert re.fullmatch(parameters["ordering"]["schema"]["pattern"], "-priority,due_at,title")
    assert not re.fullmatch(parameters["ordering"]["schema"]["pattern"], "user_id")
    assert all(p.get("description") for p in parameters.values())


def test_the_task_documents_every_planning_field(spec):
    task = spec["components"]["schemas"]["Task"]["properties"]
    request = spec["components"]["schemas"]["TaskRequest"]["properties"]

    assert task["priority"]["enum"] == ["low", "medium", "high"]
    assert task["tags"]["items"]["pattern"] == TAG_PATTERN
    for name in ("due_at", "remind_at", "completed_at"):
        assert (task[name]["format"], task[name]["nullable"]) == ("date-time", True)
    assert task["next_occurrence_id"]["nullable"] is True
    assert task["recurrence"]["maxLength"] == 500
    assert {"completed_at", "next_occurrence_id"}.isdisjoint(request)
    assert {"priority", "tags", "due_at", "remind_at", "recurrence"} <= set(request)


def test_tags_are_documented_on_both_mounts(spec):
    own = spec["paths"]["/api/tags"]["get"]
    mounted = spec["paths"]["/api/{user_id}/tags"]["get"]

    assert (own["operationId"], mounted["operationId"]) == ("tags_list", "user_tags_list")
    data = own["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert data == {"type": "array", "items": {"$ref": "#/components/schemas/TagCount"}}
    assert "403" in mounted["responses"]


def test_conditional_requests_are_documented(spec):
    task = spec["paths"]["/api/tasks/{task_id}"]
    names = {method: {p["name"] for p in task[method]["parameters"]} for method in task}

    assert "If-None-Match" in names["get"]
    assert all("If-Match" in names[method] for method in ("put", "patch", "delete"))
    assert "304" in task["get"]["responses"]
    assert "ETag" in task["get"]["responses"]["200"]["headers"]
    error = task["patch"]["responses"]["412"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/PreconditionFailedResponse"}


def test_the_sync_endpoints_are_documented(spec):
    changes = spec["paths"]["/api/tasks/changes"]["get"]
    names = {p["name"] for p in changes["parameters"]}

    assert names == {"cursor", "limit"}
    assert spec["paths"]["/api/tasks/bulk"]["post"]["operationId"] == "tasks_bulk"
    assert set(spec["paths"]["/api/tasks/trash"]) == {"get", "delete"}
    assert "delete" in spec["paths"]["/api/tasks/trash/{task_id}"]
    assert "post" in spec["paths"]["/api/tasks/{task_id}/restore"]
    response = spec["components"]["schemas"]["ChangeListResponse"]
    assert set(response["properties"]["meta"]["properties"]) == {"cursor", "has_more"}
