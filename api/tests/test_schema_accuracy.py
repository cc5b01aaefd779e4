"""What Schemathesis found the schema saying wrong (each once a fuzzing failure); its links.

The request strings' patterns must accept exactly what the server accepts: a client (or a fuzzer)
that trusts the schema must not get a 422 for a value the schema allows.
"""

import re

import pytest

from api.openapi.components import NO_NUL, trimmed_pattern

pytestmark = pytest.mark.django_db

# Every character there is, but the surrogates (no JSON text or Python str round-trips them).
ALL_CHARACTERS = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]


@pytest.fixture
def served_spec(api_client) -> dict:
    return api_client.get("/api/schema").json()


def _props(spec: dict, component: str) -> dict:
    return spec["components"]["schemas"][component]["properties"]


def _string_schemas(prop: dict) -> list[dict]:
    return [s for s in [prop, *prop.get("oneOf", [])] if s.get("type") == "string"]


def test_a_trimmed_pattern_refuses_exactly_what_trimming_leaves_empty():
    # Found as `{"title": "\x1c"}`: schema-valid under ECMA-262's `\s`, yet a 422, because
    # DRF trims with Python's str.strip(), whose whitespace is a different set.
    pattern = re.compile(trimmed_pattern(None))

    wrong = [c for c in ALL_CHARACTERS if bool(pattern.fullmatch(c)) != bool(c.strip())]

    assert wrong == []
    assert pattern.fullmatch("  a ") and not pattern.fullmatch(" \t\u3000")
    assert not pattern.fullmatch("a\x00b")


def test_a_trimmed_pattern_counts_the_length_after_trimming():
    # Found as a 201-character title, a whitespace character and 200 others: schema-invalid
    # (`maxLength: 200`), yet rightly accepted, since the limit applies after trimming.
    five = re.compile(trimmed_pattern(5))
    one = re.compile(trimmed_pattern(1))
    blank_ok = re.compile(trimmed_pattern(3, allow_blank=True))

    assert all(five.fullmatch(t) for t in ["a", "abcde", " \x1fabcde\u3000 ", "a   e", "ab\tde"])
    assert not any(five.fullmatch(t) for t in ["", "  ", "abcdef", " abcdef ", "ab\x00"])
    assert one.fullmatch(" a ") and not one.fullmatch("ab")
    assert all(blank_ok.fullmatch(t) for t in ["", "   ", " abc "])
    assert not blank_ok.fullmatch("abcd")


def test_no_nul_refuses_nul_anywhere():
    pattern = re.compile(NO_NUL)

    assert pattern.fullmatch("any text, even \u2028 and \ufeff")
    assert not any(pattern.fullmatch(text) for text in ("\x00", "a\x00", "\x00a", "a\x00b"))


def test_every_request_string_says_what_the_server_refuses(served_spec):
    # Found as `{"title": "²\x00â"}`: allowed by the schema, refused (422) by every CharField.
    components = ["TaskRequest", "PatchedTaskRequest", "SignUpRequest", "SignInRequest"]
    components.append("RefreshTokenRequest")
    for component in components:
        for name, prop in _props(served_spec, component).items():
            # An enum or a date-time format says it by itself (neither can hold a NUL).
            if prop["type"] == "string" and "enum" not in prop and "format" not in prop:
                assert prop["pattern"], (component, name)
                assert not re.fullmatch(prop["pattern"], "a\x00b"), (component, name)
                trimmed = prop["pattern"] != NO_NUL
                assert ("maxLength" in prop) is not trimmed, (component, name)


@pytest.mark.parametrize(
    ("title", "accepted"),
    [
        ("\x1c", False),
        ("\x85", False),
        ("\u3000 \t", False),
        ("\ufeff", True),
        ("a\x1f", True),
        ("x" * 200, True),
        ("x" * 201, False),
        ("\x1f" + "x" * 200 + "  ", True),
        ("\x1f" + "x" * 201, False),
    ],
    ids=["fs", "nel", "blanks", "bom", "trailing-us", "200", "201", "200-padded", "201-padded"],
)
def test_the_title_pattern_agrees_with_the_api(auth_client, served_spec, title, accepted):
    pattern = _props(served_spec, "TaskRequest")["title"]["pattern"]

    response = auth_client.post("/api/tasks", {"title": title}, format="json")

    assert response.status_code == (201 if accepted else 422)
    assert bool(re.fullmatch(pattern, title)) is accepted


def test_a_nul_in_any_task_text_is_refused_as_the_schema_says(auth_client, served_spec):
    pattern = _props(served_spec, "TaskRequest")["description"]["pattern"]

    response = auth_client.post("/api/tasks", {"title": "t", "description": "a\x00"}, format="json")

    assert response.status_code == 422
    assert not re.fullmatch(pattern, "a\x00")


def test_signup_password_rules_are_in_the_schema(api_client, served_spec):
    # Found as signup with `"password": "0"`: schema-valid, yet a 422 (too short, too common...).
    password = _props(served_spec, "SignUpRequest")["password"]

    assert password["minLength"] == 8  # MinimumLengthValidator's default
    assert "at least 8 characters" in password["description"]
    assert "commonly used" in password["description"]
    short = {"email": "short@example.com", "password": "x7!Qz9a"}
    assert api_client.post("/api/auth/signup", short, format="json").status_code == 422
    longer = {**short, "password": "x7!Qz9aP"}
    assert api_client.post("/api/auth/signup", longer, format="json").status_code == 201


@pytest.mark.parametrize("name", ["", "   ", " Ann ", "\u3000" * 3 + "x" * 150])
def test_a_blank_allowed_trimmed_name_agrees_with_the_api(api_client, served_spec, name):
    prop = _props(served_spec, "SignUpRequest")["name"]
    body = {"email": "named@example.com", "password": "named-Horse-battery-5", "name": name}

    response = api_client.post("/api/auth/signup", body, format="json")

    assert response.status_code == 201
    assert re.fullmatch(prop["pattern"], name)
    assert prop["default"] == ""


DETAIL_LINKS = {
    "GetTask": "tasks_retrieve",
    "UpdateTask": "tasks_update",
    "PatchTask": "tasks_partial_update",
    "CompleteTask": "tasks_complete",
    "DeleteTask": "tasks_destroy",
    "RestoreTask": "tasks_restore",
}


@pytest.mark.parametrize(
    ("suffix", "method", "status"),
    [
        ("", "post", "201"),
        ("/{task_id}", "get", "200"),
        ("/{task_id}", "put", "200"),
        ("/{task_id}", "patch", "200"),
        ("/{task_id}/complete", "patch", "200"),
        ("/{task_id}/restore", "post", "200"),
    ],
)
@pytest.mark.parametrize("mount", ["/api/tasks", "/api/{user_id}/tasks"])
def test_a_task_response_links_to_every_operation_on_that_task(
    served_spec, mount, suffix, method, status
):
    links = served_spec["paths"][mount + suffix][method]["responses"][status]["links"]
    prefix = "user_" if "{user_id}" in mount else ""
    operation_ids = {
        op["operationId"] for ops in served_spec["paths"].values() for op in ops.values()
    }  # fmt: skip

    assert {name: link["operationId"] for name, link in links.items()} == {
        name: prefix + operation_id for name, operation_id in DETAIL_LINKS.items()
    }
    for link in links.values():
        assert link["operationId"] in operation_ids
        expected = {"task_id": "$response.body#/data/id"}
        if prefix:
            expected["user_id"] = "$request.path.user_id"
        assert link["parameters"] == expected


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/auth/signup", "201"), ("/api/auth/signin", "200"), ("/api/auth/refresh", "200")],
)
def test_a_token_bundle_links_to_refresh_and_signout(served_spec, path, status):
    links = served_spec["paths"][path]["post"]["responses"][status]["links"]

    assert {name: link["operationId"] for name, link in links.items()} == {
        "RefreshTokens": "auth_refresh",
        "SignOut": "auth_signout",
    }
    for link in links.values():
        assert link["requestBody"] == {"refresh_token": "$response.body#/data/refresh_token"}
