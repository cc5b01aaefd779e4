"""Hostile request lines and headers: odd task ids, pagination abuse, CRLF, unknown methods.

Each is a 4xx in the envelope (never a 500) and changes nothing that is stored.
"""

import uuid

import pytest

from testing.snapshot import error_code, stored

pytestmark = pytest.mark.django_db

BAD_TASK_ID = {
    "success": False,
    "error": {
        "code": "VALIDATION_ERROR",
        "message": "Must be a positive integer.",
        "details": {"task_id": ["Must be a positive integer."]},
    },
}


# --- task ids -------------------------------------------------------------------------------------

TASK_ID_REQUESTS = [
    ("GET", "/api/tasks/{}", None),
    ("PUT", "/api/tasks/{}", '{"title": "Changed"}'),
    ("PATCH", "/api/tasks/{}", '{"completed": true}'),
    ("DELETE", "/api/tasks/{}", None),
    ("PATCH", "/api/tasks/{}/complete", None),
]


@pytest.mark.parametrize(("method", "template", "body"), TASK_ID_REQUESTS)
@pytest.mark.parametrize(
    "task_id",
    [
        "9223372036854775808",  # 2**63: one past the largest 64-bit id
        "18446744073709551616",  # 2**64
        "9" * 40,
        "-1",
        "-9223372036854775808",
        "0",
        "00",
        "-0",
        "+1",
        "1.0",
        "1e3",
        "0x1",
        "1_0",
        "%201",
        "1%20",
        "%D9%A1",  # ARABIC-INDIC DIGIT ONE: a digit to Python's int(), not to the API
        "%00",
        "1%00",
        "%ED%A0%80",  # a UTF-8 encoded lone surrogate
        "abc",
        "1;DROP TABLE tasks_task",
    ],
)
def test_a_task_id_that_is_not_a_positive_64_bit_integer_is_422(
    auth_client, stored_before, method, template, body, task_id
):
    response = auth_client.generic(
        method, template.format(task_id), body or "", content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json() == BAD_TASK_ID
    assert stored() == stored_before


@pytest.mark.parametrize(("method", "template", "body"), TASK_ID_REQUESTS)
def test_the_largest_64_bit_id_is_a_well_formed_404(
    auth_client, stored_before, method, template, body
):
    response = auth_client.generic(
        method, template.format(2**63 - 1), body or "", content_type="application/json"
    )

    assert response.status_code == 404
    assert error_code(response) == "RESOURCE_NOT_FOUND"
    assert stored() == stored_before


@pytest.mark.parametrize("user_id", ["%00", "x" * 256, "%7F", str(uuid.uuid4()) + "%00"])
def test_a_malformed_user_id_in_the_path_is_422(auth_client, stored_before, user_id):
    response = auth_client.post(f"/api/{user_id}/tasks", {"title": "x"}, format="json")

    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")
    assert list(response.json()["error"]["details"]) == ["user_id"]
    assert stored() == stored_before


# --- pagination -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize(
    "value",
    [
        "9" * 30,
        "9" * 5000,
        "-1",
        "-" + "9" * 30,
        "1.5",
        "1.0",
        "1e2",
        "",
        "%20",
        "%205",
        "5%20",
        "%2B5",
        "1_0",
        "0x10",
        "%D9%A5",  # ARABIC-INDIC DIGIT FIVE
        "%00",
        "5%00",
        "null",
        "true",
        "[5]",
        "5;DROP TABLE tasks_task",
    ],
)
def test_limit_and_offset_abuse_is_422(auth_client, stored_before, name, value):
    response = auth_client.get(f"/api/tasks?{name}={value}")

    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [name]
    assert stored() == stored_before


@pytest.mark.parametrize("query", ["limit=5&limit=6", "offset=0&offset=1", "limit=5&limit=5"])
def test_a_repeated_pagination_parameter_is_422(auth_client, stored_before, query):
    response = auth_client.get(f"/api/tasks?{query}")

    name = query.split("=")[0]
    message = "Must be given only once."
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": {"code": "VALIDATION_ERROR", "message": message, "details": {name: [message]}},
    }


def test_unknown_query_parameters_are_ignored(auth_client, target_task):
    response = auth_client.get("/api/tasks?limit=1&user_id=someone-else&sort=title%00")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["data"]] == [target_task.pk]


# --- list filters, search and ordering ------------------------------------------------------------

LIST_PARAMETERS = ["completed", "priority", "tag", "due_after", "due_before", "overdue", "has_due"]
LIST_PARAMETERS += ["search", "ordering"]


HOSTILE_VALUES = [
    "",
    "%00",
    "a%00",
    "%ED%A0%80",  # a UTF-8 encoded lone surrogate (Django reads it as U+FFFD)
    "9" * 5000,
    "%27%20OR%201%3D1%20--",
    "%3Cscript%3E",
    "null",
    "[true]",
    "%E2%80%AE",  # RIGHT-TO-LEFT OVERRIDE
    "true%0D%0AX-Evil:%201",
]
# Plain text that is a fine search, or a fine tag (no comma, no control character).
VALID_AS = {
    "search": {"%ED%A0%80", "%27%20OR%201%3D1%20--", "%3Cscript%3E", "null", "[true]",
               "%E2%80%AE", "true%0D%0AX-Evil:%201"},
    "tag": {"%ED%A0%80", "%27%20OR%201%3D1%20--", "%3Cscript%3E", "null", "[true]", "%E2%80%AE"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (name, value)
        for name in LIST_PARAMETERS
        for value in HOSTILE_VALUES
        if value not in VALID_AS.get(name, ())
    ],
)
def test_list_parameter_abuse_is_422_naming_the_parameter(auth_client, stored_before, name, value):
    response = auth_client.get(f"/api/tasks?{name}={value}")

    assert response.status_code == 422, response.content
    assert error_code(response) == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [name]
    assert stored() == stored_before


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in VALID_AS.items() for value in values]
)
def test_injection_shaped_searches_and_tags_are_plain_text(auth_client, target_task, name, value):
    response = auth_client.get(f"/api/tasks?{name}={value}")

    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize("name", [name for name in LIST_PARAMETERS if name != "tag"])
def test_a_repeated_single_valued_list_parameter_is_422(auth_client, stored_before, name):
    value = {"priority": "high", "search": "x", "ordering": "title"}.get(name, "true")
    if name.startswith("due_"):
        value = "2030-01-01T00:00:00Z"

    response = auth_client.get(f"/api/tasks?{name}={value}&{name}={value}")

    assert response.json()["error"]["details"] == {name: ["Must be given only once."]}


def test_a_thousand_tags_are_refused_before_any_query(auth_client, stored_before):
    response = auth_client.get("/api/tasks?" + "&".join(["tag=x"] * 1000))

    assert response.json()["error"]["details"] == {"tag": ["At most 20 tags."]}


# --- headers with CR/LF, NUL ----------------------------------------------------------------------


def test_a_request_id_with_crlf_is_replaced_not_echoed(auth_client, stored_before):
    response = auth_client.get("/api/tasks", HTTP_X_REQUEST_ID="abc\r\nSet-Cookie: evil=1")

    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32 and "\n" not in response["X-Request-ID"]
    assert "Set-Cookie" not in response
    assert stored() == stored_before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer {token}\r\nX-Evil: 1",
        "Bearer {token}\r\n\r\n{{}}",
        "Bearer \x00{token}",
        "Bearer {token}\x00",
        "Bearer\r\n",
    ],
)
def test_an_authorization_header_with_crlf_or_nul_is_401(
    api_client, user, make_token, stored_before, header
):
    authorization = header.format(token=make_token(user))

    response = api_client.post(
        "/api/tasks", {"title": "x"}, format="json", HTTP_AUTHORIZATION=authorization
    )

    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored() == stored_before


@pytest.mark.parametrize(
    "content_type",
    ["application/json\r\nX-Evil: 1", "application/json\x00", "text/plain\r\n\r\n{}"],
)
def test_a_content_type_with_crlf_or_nul_is_4xx(auth_client, stored_before, content_type):
    response = auth_client.post("/api/tasks", '{"title": "x"}', content_type=content_type)

    assert 400 <= response.status_code < 500
    assert response.json()["success"] is False
    assert stored() == stored_before


def test_a_host_header_with_crlf_is_400(auth_client, stored_before):
    response = auth_client.post(
        "/api/tasks", {"title": "x"}, format="json", HTTP_HOST="testserver\r\nX-Evil: 1"
    )

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": {"code": "MALFORMED_REQUEST", "message": "Bad request."},
    }
    assert stored() == stored_before


# --- methods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["FOO", "PROPFIND", "MKCOL", "TRACE", "CONNECT", "PURGE", "LINK"]
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/tasks",
        "/api/tasks/{id}",
        "/api/tasks/{id}/complete",
        "/api/{user}/tasks/{id}",
        "/api/auth/signin",
        "/api/auth/me",
        "/api/health",
        "/api/health/ready",
    ],
)
def test_an_unknown_method_is_405_in_the_envelope(
    auth_client, user, target_task, stored_before, method, path
):
    response = auth_client.generic(method, path.format(id=target_task.pk, user=user.pk))

    assert response.status_code == 405
    assert response.json() == {
        "success": False,
        "error": {"code": "METHOD_NOT_ALLOWED", "message": f'Method "{method}" not allowed.'},
    }
    assert method not in response.get("Allow", "")
    assert stored() == stored_before


@pytest.mark.parametrize(
    "header", ["HTTP_X_HTTP_METHOD_OVERRIDE", "HTTP_X_HTTP_METHOD", "HTTP_X_METHOD_OVERRIDE"]
)
def test_method_override_headers_are_ignored(auth_client, target_task, stored_before, header):
    response = auth_client.post(
        f"/api/tasks/{target_task.pk}", {}, format="json", **{header: "DELETE"}
    )

    assert response.status_code == 405
    assert error_code(response) == "METHOD_NOT_ALLOWED"
    assert stored() == stored_before
