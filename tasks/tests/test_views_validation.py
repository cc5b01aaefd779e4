"""Field validation and pagination bounds: 422 VALIDATION_ERROR with details, never a 500."""

import pytest

from tasks.factories import TaskFactory
from tasks.models import Task

from .helpers import error

pytestmark = pytest.mark.django_db

TITLE_LENGTH = "Title must be between 1 and 200 characters."
EMOJI = "\U0001f600"  # one character, four bytes in UTF-8


def _title_error(message=TITLE_LENGTH) -> dict:
    return error("VALIDATION_ERROR", message, {"title": [message]})


@pytest.fixture
def kept_task(user):
    return TaskFactory(user=user, title="Original", description="Kept", completed=False)


# --- title --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("a", "a"),
        ("a" * 200, "a" * 200),
        ("  " + "a" * 200 + "\t\n", "a" * 200),  # 200 after trimming
        (EMOJI * 200, EMOJI * 200),  # characters, not bytes
        ("Ünïcödé ✓ 中文", "Ünïcödé ✓ 中文"),
    ],
    ids=["1", "200", "200-after-trim", "200-emoji", "unicode"],
)
def test_create_accepts_titles_of_1_to_200_characters(auth_client, title, stored):
    response = auth_client.post("/api/tasks", {"title": title}, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["title"] == stored
    assert Task.objects.get().title == stored


@pytest.mark.parametrize(
    "title",
    ["", "   ", "\t\n ", "a" * 201, " " + "a" * 201 + " ", EMOJI * 201],
    ids=["0", "spaces", "whitespace", "201", "201-after-trim", "201-emoji"],
)
def test_create_refuses_titles_outside_1_to_200_characters(auth_client, title):
    response = auth_client.post("/api/tasks", {"title": title}, format="json")

    assert response.status_code == 422
    assert response.json() == _title_error()
    assert not Task.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("title", ["", "   ", "a" * 201, EMOJI * 201])
def test_update_refuses_bad_titles_and_changes_nothing(auth_client, kept_task, method, title):
    response = getattr(auth_client, method)(
        f"/api/tasks/{kept_task.pk}", {"title": title, "completed": True}, format="json"
    )

    assert response.status_code == 422
    assert response.json() == _title_error()
    kept_task.refresh_from_db()
    assert (kept_task.title, kept_task.completed) == ("Original", False)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_accepts_a_200_emoji_title(auth_client, kept_task, method):
    response = getattr(auth_client, method)(
        f"/api/tasks/{kept_task.pk}", {"title": EMOJI * 200}, format="json"
    )

    assert response.status_code == 200
    kept_task.refresh_from_db()
    assert kept_task.title == EMOJI * 200


def test_create_without_a_title_is_422(auth_client):
    response = auth_client.post("/api/tasks", {"description": "no title"}, format="json")

    assert response.status_code == 422
    assert response.json() == _title_error("Title is required.")


def test_create_with_a_null_title_is_422(auth_client):
    response = auth_client.post("/api/tasks", {"title": None}, format="json")

    assert response.status_code == 422
    assert response.json() == _title_error("Title may not be null.")


# --- description --------------------------------------------------------------------------------


@pytest.mark.parametrize("description", [None, "", "d" * 1000, EMOJI * 1000, "  spaced  "], ids=str)
def test_create_accepts_descriptions_up_to_1000_characters_or_null(auth_client, description):
    payload = {"title": "t", "description": description}

    response = auth_client.post("/api/tasks", payload, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["description"] == description
    assert Task.objects.get().description == description


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize("description", ["d" * 1001, EMOJI * 1001])
def test_descriptions_over_1000_characters_are_422(auth_client, kept_task, method, description):
    path = "/api/tasks" if method == "post" else f"/api/tasks/{kept_task.pk}"
    payload = {"title": "t", "description": description}

    response = getattr(auth_client, method)(path, payload, format="json")

    assert response.status_code == 422
    message = "Description must be at most 1000 characters."
    assert response.json() == error("VALIDATION_ERROR", message, {"description": [message]})
    assert list(Task.objects.values_list("description", flat=True)) == ["Kept"]


def test_patch_can_clear_the_description_with_null(auth_client, kept_task):
    response = auth_client.patch(f"/api/tasks/{kept_task.pk}", {"description": None}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["description"] is None
    kept_task.refresh_from_db()
    assert kept_task.description is None


# --- NUL characters -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_characters_are_422_not_500(auth_client, kept_task, method, field):
    path = "/api/tasks" if method == "post" else f"/api/tasks/{kept_task.pk}"
    payload = {"title": "fine", field: "bad\x00value"}

    response = getattr(auth_client, method)(path, payload, format="json")

    assert response.status_code == 422
    message = "Null characters are not allowed."
    assert response.json() == error("VALIDATION_ERROR", message, {field: [message]})
    kept_task.refresh_from_db()
    assert (Task.objects.count(), kept_task.title, kept_task.description) == (1, "Original", "Kept")


# --- wrong types --------------------------------------------------------------------------------

WRONG_TYPES = [
    ({"title": 123}, "title", "Title must be a string."),
    ({"title": True}, "title", "Title must be a string."),
    ({"title": ["a"]}, "title", "Title must be a string."),
    ({"title": {"a": 1}}, "title", "Title must be a string."),
    ({"title": "t", "description": 5}, "description", "Description must be a string or null."),
    ({"title": "t", "description": False}, "description", "Description must be a string or null."),
    ({"title": "t", "completed": "yes"}, "completed", "Must be true or false."),
    ({"title": "t", "completed": "true"}, "completed", "Must be true or false."),
    ({"title": "t", "completed": 1}, "completed", "Must be true or false."),
    ({"title": "t", "completed": 0}, "completed", "Must be true or false."),
    ({"title": "t", "completed": None}, "completed", "This field may not be null."),
]


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize(("payload", "field", "message"), WRONG_TYPES)
def test_wrong_types_are_422_with_the_fields_message(
    auth_client, kept_task, method, payload, field, message
):
    path = "/api/tasks" if method == "post" else f"/api/tasks/{kept_task.pk}"

    response = getattr(auth_client, method)(path, payload, format="json")

    assert response.status_code == 422
    assert response.json() == error("VALIDATION_ERROR", message, {field: [message]})
    kept_task.refresh_from_db()
    assert (Task.objects.count(), kept_task.title, kept_task.completed) == (1, "Original", False)


def test_several_invalid_fields_are_all_reported(auth_client):
    payload = {"title": "", "description": 5, "completed": "yes"}

    response = auth_client.post("/api/tasks", payload, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["details"] == {
        "title": [TITLE_LENGTH],
        "description": ["Description must be a string or null."],
        "completed": ["Must be true or false."],
    }


@pytest.mark.parametrize("body", ["[]", '"title"', "123", "null", "true"])
def test_a_body_that_is_not_an_object_is_422(auth_client, body):
    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "non_field_errors" in response.json()["error"]["details"]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "payload", [{"completed": "yes"}, {"completed": 1}, {"completed": None}, {"completed": "true"}]
)
def test_complete_with_a_non_boolean_is_422_and_changes_nothing(auth_client, kept_task, payload):
    response = auth_client.patch(f"/api/tasks/{kept_task.pk}/complete", payload, format="json")

    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert list(body["error"]["details"]) == ["completed"]
    assert body["error"]["message"] == body["error"]["details"]["completed"][0]
    kept_task.refresh_from_db()
    assert kept_task.completed is False


def test_complete_with_a_string_gives_the_boolean_message(auth_client, kept_task):
    response = auth_client.patch(
        f"/api/tasks/{kept_task.pk}/complete", {"completed": "yes"}, format="json"
    )

    assert response.json() == error(
        "VALIDATION_ERROR", "Must be true or false.", {"completed": ["Must be true or false."]}
    )


# --- pagination bounds --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["1", "500"])
def test_limit_bounds_are_accepted(auth_client, user, limit):
    TaskFactory.create_batch(2, user=user)

    response = auth_client.get(f"/api/tasks?limit={limit}")

    assert response.status_code == 200
    assert response.json()["meta"]["limit"] == int(limit)
    assert len(response.json()["data"]) == min(int(limit), 2)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", "Ensure this value is greater than or equal to 1."),
        ("limit=-1", "limit", "Ensure this value is greater than or equal to 1."),
        ("limit=501", "limit", "Ensure this value is less than or equal to 500."),
        ("limit=abc", "limit", "Must be an integer."),
        ("limit=", "limit", "Must be an integer."),
        ("limit=1.5", "limit", "Must be an integer."),
        ("limit=2.0", "limit", "Must be an integer."),
        ("limit=%205", "limit", "Must be an integer."),
        ("limit=5&limit=6", "limit", "Must be given only once."),
        ("offset=-1", "offset", "Ensure this value is greater than or equal to 0."),
        ("offset=abc", "offset", "Must be an integer."),
        (
            "offset=" + "9" * 30,
            "offset",
            "Ensure this value is less than or equal to 4611686018427387904.",
        ),
    ],
)
def test_out_of_range_or_non_integer_pagination_is_422(auth_client, mount, query, field, message):
    response = auth_client.get(f"{mount}?{query}")

    assert response.status_code == 422
    assert response.json() == error("VALIDATION_ERROR", message, {field: [message]})


def test_offset_zero_is_accepted(auth_client):
    response = auth_client.get("/api/tasks?offset=0&limit=100")

    assert response.status_code == 200
    assert response.json()["meta"] == {
        "count": 0,
        "limit": 100,
        "offset": 0,
        "next": None,
        "previous": None,
    }
