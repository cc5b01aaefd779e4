"""Hostile request bodies: huge, deeply nested, mistyped, NUL and lone surrogates, SQL and HTML.

Each is a 4xx in the envelope (never a 500) and changes nothing that is stored, or, for text
that merely looks dangerous, is stored and returned exactly as sent.
"""

import json

import pytest
from django.conf import settings
from django.core.cache import cache

from tasks.models import Task
from testing.snapshot import error_code, stored

pytestmark = pytest.mark.django_db

TOO_LARGE = {
    "success": False,
    "error": {"code": "PAYLOAD_TOO_LARGE", "message": "Request body is too large."},
}
BIG = 1536 * 1024  # 1.5 MB
TASK_WRITES = [
    ("POST", "/api/tasks"),
    ("PUT", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}"),
    ("PATCH", "/api/tasks/{id}/complete"),
]
AUTH_WRITES = ["/api/auth/signup", "/api/auth/signin", "/api/auth/refresh", "/api/auth/signout"]


@pytest.fixture(autouse=True)
def _fresh_throttle_state():
    cache.clear()  # signin/signup are throttled per address; start every test from zero
    yield
    cache.clear()


def _send(client, method: str, path: str, task, body, content_type="application/json"):
    return client.generic(method, path.format(id=task.pk), body, content_type=content_type)


# --- size -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), TASK_WRITES)
@pytest.mark.parametrize(
    "body",
    [json.dumps({"title": "x" * BIG}), "[" * BIG, b"\xff" * BIG],
    ids=["valid-json", "malformed-json", "not-utf8"],
)
def test_a_1_5_mb_body_is_413(auth_client, target_task, stored_before, method, path, body):
    response = _send(auth_client, method, path, target_task, body)

    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert stored() == stored_before


@pytest.mark.parametrize("path", AUTH_WRITES)
def test_a_1_5_mb_body_to_the_auth_endpoints_is_413(api_client, target_task, stored_before, path):
    body = json.dumps({"email": "a@example.com", "password": "x" * BIG, "refresh_token": "x"})

    response = api_client.post(path, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert stored() == stored_before


def test_the_limit_is_exact_one_byte_more_is_413(auth_client, target_task, stored_before):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    frame = b'{"title": ""}'
    at_limit = frame[:-2] + b"x" * (limit - len(frame)) + frame[-2:]

    assert (
        _send(auth_client, "POST", "/api/tasks", target_task, at_limit).status_code == 422
    )  # parsed
    over = _send(auth_client, "POST", "/api/tasks", target_task, at_limit[:-2] + b'x"}')
    assert (over.status_code, over.json()) == (413, TOO_LARGE)
    assert stored() == stored_before


# --- nesting --------------------------------------------------------------------------------------


def _nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + '"x"' + "]" * depth
    return '{"title":' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize(("method", "path"), TASK_WRITES)
@pytest.mark.parametrize("depth", [40, 10_000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_deeply_nested_json_is_400(
    auth_client, target_task, stored_before, method, path, depth, kind
):
    response = _send(auth_client, method, path, target_task, _nested(depth, kind))

    assert response.status_code == 400
    assert error_code(response) == "MALFORMED_REQUEST"
    assert stored() == stored_before


@pytest.mark.parametrize("field", ["title", "description", "completed"])
def test_deep_nesting_inside_a_field_is_400(auth_client, target_task, stored_before, field):
    body = '{"title": "ok", "%s": %s}' % (field, _nested(40, "array"))  # noqa: UP031

    response = _send(auth_client, "POST", "/api/tasks", target_task, body)

    assert (response.status_code, error_code(response)) == (400, "MALFORMED_REQUEST")
    assert stored() == stored_before


@pytest.mark.parametrize("path", AUTH_WRITES)
def test_deeply_nested_json_to_the_auth_endpoints_is_400(
    api_client, target_task, stored_before, path
):
    response = api_client.post(path, _nested(10_000, "object"), content_type="application/json")

    assert (response.status_code, error_code(response)) == (400, "MALFORMED_REQUEST")
    assert stored() == stored_before


@pytest.mark.parametrize(
    "body",
    ["[" + "1," * 200_000 + "1]", "{" + ",".join(f'"k{i}": {i}' for i in range(50_000)) + "}"],
    ids=["200k-item-array", "50k-key-object"],
)
def test_very_wide_json_is_a_422_not_a_500(auth_client, target_task, stored_before, body):
    response = _send(auth_client, "POST", "/api/tasks", target_task, body)

    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")
    assert stored() == stored_before


# --- wrong types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), TASK_WRITES[:3])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 1.5),
        ("title", 2**64),
        ("title", -0.0),
        ("title", {"$ne": None}),
        ("title", ["Buy milk"]),
        ("description", 1e300),
        ("description", {"text": "x"}),
        ("description", ["x"]),
        ("completed", "false"),
        ("completed", 1.0),
        ("completed", []),
        ("completed", {"value": True}),
        ("priority", 3),
        ("priority", True),
        ("priority", ["high"]),
        ("priority", {"$in": ["high"]}),
        ("priority", "high' OR '1'='1"),
        ("tags", "work"),
        ("tags", 7),
        ("tags", {"0": "work"}),
        ("tags", [["nested"]]),
        ("tags", [{"$ne": None}]),
        ("tags", ["ok"] * 21),
        ("tags", ["x" * 10_000]),
        ("tags", ["<script>,alert(1)"]),
        ("due_at", 1735689600),
        ("due_at", True),
        ("due_at", ["2030-01-01T00:00:00Z"]),
        ("due_at", "2030-01-01T00:00:00"),
        ("due_at", "0000-01-01T00:00:00Z"),
        ("due_at", "10000-01-01T00:00:00Z"),
        ("due_at", "2030-01-01T00:00:00Z'; DROP TABLE tasks_task; --"),
        ("due_at", "2" * 5000),
        ("remind_at", {"at": "2030-01-01T00:00:00Z"}),
        ("remind_at", "9999-12-31T23:59:59-23:59"),
        ("recurrence", 5),
        ("recurrence", ["FREQ=DAILY"]),
        ("recurrence", "FREQ=SECONDLY"),
        ("recurrence", "FREQ=DAILY;COUNT=99999999999999999999999"),
        ("recurrence", "FREQ=DAILY;INTERVAL=0"),
        ("recurrence", "FREQ=DAILY;" * 100),
        ("recurrence", "FREQ=DAILY;BYDAY=MO' OR 1=1"),
    ],
)
def test_a_value_of_the_wrong_type_is_422(
    auth_client, target_task, stored_before, method, path, field, value
):
    body = json.dumps({"title": "Fine", field: value})

    response = _send(auth_client, method, path, target_task, body)

    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [field]
    assert stored() == stored_before


@pytest.mark.parametrize("payload", [{"completed": "1"}, {"completed": 0}, {"completed": [True]}])
def test_complete_with_the_wrong_type_is_422(auth_client, target_task, stored_before, payload):
    response = _send(
        auth_client, "PATCH", "/api/tasks/{id}/complete", target_task, json.dumps(payload)
    )

    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")
    assert stored() == stored_before


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/signin"])
@pytest.mark.parametrize(
    "payload",
    [
        {"email": 42, "password": "correct-Horse-battery-7"},
        {"email": "a@example.com", "password": 12345678901},
        {"email": ["a@example.com"], "password": "correct-Horse-battery-7"},
        {"email": "a@example.com", "password": {"$gt": ""}},
    ],
)
def test_auth_bodies_of_the_wrong_type_are_422(
    api_client, target_task, stored_before, path, payload
):
    response = api_client.post(path, payload, format="json")

    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")
    assert stored() == stored_before


# --- NUL characters, lone surrogates, bad encodings ----------------------------------------------


@pytest.mark.parametrize(("method", "path"), TASK_WRITES[:3])
@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a\\u0000b"}',
        '{"title": "ok", "description": "\\u0000"}',
        '{"title": "\\ud800"}',
        '{"title": "a\\udc00b"}',
        '{"title": "ok", "description": "\\ud83d"}',
        '{"title": "\\ud800\\ud800"}',
        '{"title": "ok", "tags": ["a\\u0000b"]}',
        '{"title": "ok", "tags": ["\\ud800"]}',
        '{"title": "ok", "recurrence": "FREQ=DAILY\\u0000"}',
        '{"title": "ok", "due_at": "2030-01-01T00:00:00Z\\u0000"}',
        '{"title": "ok", "priority": "high\\u0000"}',
        b'{"title": "a\x00b"}',
        b'{"title": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8: not valid UTF-8
        b'{"title": "\xff\xfe"}',
        b'\xef\xbb\xbf{"title": "BOM"}',
        '{"title": "x"}'.encode("utf-16"),
    ],
    ids=[
        "nul-escape",
        "nul-escape-description",
        "lone-high-surrogate",
        "lone-low-surrogate",
        "lone-surrogate-description",
        "two-high-surrogates",
        "nul-in-a-tag",
        "surrogate-in-a-tag",
        "nul-in-the-rule",
        "nul-in-a-due-date",
        "nul-in-the-priority",
        "raw-nul",
        "utf8-surrogate",
        "invalid-utf8",
        "utf8-bom",
        "utf16",
    ],
)
def test_nul_surrogates_and_bad_encodings_are_4xx(
    auth_client, target_task, stored_before, method, path, body
):
    response = _send(auth_client, method, path, target_task, body)

    assert response.status_code in (400, 422)
    assert error_code(response) in ("MALFORMED_REQUEST", "VALIDATION_ERROR")
    assert stored() == stored_before


def test_a_valid_surrogate_pair_escape_is_the_character_it_encodes(auth_client, target_task):
    response = _send(auth_client, "POST", "/api/tasks", target_task, '{"title": "\\ud83d\\ude00"}')

    assert response.status_code == 201
    assert response.json()["data"]["title"] == "\U0001f600"
    assert Task.objects.get(pk=response.json()["data"]["id"]).title == "\U0001f600"


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/signin"])
@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a\x00@example.com", "password": "correct-Horse-battery-7"},
        {"email": "a@example.com", "password": "correct-Horse\x00-battery-7"},
        {"email": "a@example.com", "password": "correct-Horse-battery-7", "name": "\x00"},
    ],
)
def test_nul_characters_in_auth_bodies_are_4xx(
    api_client, target_task, stored_before, path, payload
):
    response = api_client.post(path, payload, format="json")

    assert response.status_code in (401, 422), response.json()
    assert stored() == stored_before


# --- text that looks like code is just text ------------------------------------------------------

LOOKS_LIKE_CODE = [
    "'; DROP TABLE tasks_task; --",
    "Robert'); DELETE FROM accounts_user; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(10)",
    "$$; SELECT 1; $$",
    "%s %s %(title)s %% {0} {title}",
    "\\x00 \\u0000 \\n \\",
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(document.cookie)>",
    "{{7*7}} ${7*7} #{7*7}",
    "javascript:alert(1)",
    "\u202egnp.exe \ufeff\u200b zero-width",
]


@pytest.mark.parametrize("text", LOOKS_LIKE_CODE)
def test_sql_and_html_looking_text_is_stored_and_returned_exactly(auth_client, user, text):
    created = auth_client.post(
        "/api/tasks", {"title": text[:200], "description": text}, format="json"
    )
    assert created.status_code == 201
    task_id = created.json()["data"]["id"]
    # The raw-SQL write path too: UPDATE ... RETURNING with the text as parameters.
    patched = auth_client.patch(
        f"/api/tasks/{task_id}", {"title": text[::-1], "description": text * 2}, format="json"
    )

    fetched = auth_client.get(f"/api/tasks/{task_id}")
    listed = auth_client.get("/api/tasks")

    assert created.json()["data"]["description"] == text
    assert patched.status_code == 200
    expected = {"title": text[::-1], "description": text * 2}
    assert {k: fetched.json()["data"][k] for k in expected} == expected
    assert {k: listed.json()["data"][0][k] for k in expected} == expected
    stored_task = Task.objects.get(pk=task_id)
    assert (stored_task.title, stored_task.description) == (text[::-1], text * 2)
    assert fetched["Content-Type"] == "application/json"
    assert fetched["X-Content-Type-Options"] == "nosniff"
    assert Task.objects.filter(user=user).count() == 1
