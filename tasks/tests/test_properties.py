"""Properties of task text over generated input: valid text round-trips exactly, invalid is a 422;
tags keep their first spelling and find their task in any letter case, and so does search.

Through the whole stack (parser, serializer, service, database, renderer), on SQLite and on
PostgreSQL. Example counts are bounded so the suite stays fast.
"""

import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.models import Task
from tasks.rules import fold

pytestmark = pytest.mark.django_db

# One database transaction per test, not per example: each example checks only its own rows.
bounded = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character a JSON string can carry and a database can store: no NUL, no surrogate.
storable = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
# What the title's trimming removes (str.strip(): every Unicode whitespace character).
WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
whitespace = st.text(alphabet=WHITESPACE, max_size=5)

valid_titles = st.text(storable, min_size=1, max_size=200).filter(lambda t: t.strip() == t and t)
padded_valid_titles = st.tuples(whitespace, valid_titles, whitespace)
blank_titles = st.text(alphabet=WHITESPACE, max_size=20)
long_titles = st.text(storable, min_size=201, max_size=260).filter(lambda t: len(t.strip()) > 200)
titles_with_nul = st.tuples(st.text(storable, max_size=99), st.text(storable, max_size=99)).map(
    lambda parts: f"{parts[0]}\x00{parts[1]}"
)
not_strings = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
valid_descriptions = st.one_of(st.none(), st.text(storable, max_size=1000))
invalid_descriptions = st.one_of(
    st.text(storable, min_size=1001, max_size=1100),
    titles_with_nul,
    not_strings,
)
lone_surrogates = st.characters(categories=["Cs"])


def _create(client, body: dict):
    return client.post("/api/tasks", body, format="json")


def _assert_422_on(response, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert list(body["error"]["details"]) == [field]


@bounded
@given(parts=padded_valid_titles)
def test_a_valid_title_round_trips_exactly(auth_client, parts):
    before, title, after = parts

    created = _create(auth_client, {"title": before + title + after})

    assert created.status_code == 201, created.content
    task_id = created.json()["data"]["id"]
    assert created.json()["data"]["title"] == title
    assert auth_client.get(f"/api/tasks/{task_id}").json()["data"]["title"] == title
    assert Task.objects.get(pk=task_id).title == title


@bounded
@given(title=valid_titles, new_title=padded_valid_titles)
def test_a_valid_title_round_trips_through_put_and_patch(auth_client, title, new_title):
    task_id = _create(auth_client, {"title": title}).json()["data"]["id"]
    before, expected, after = new_title

    put = auth_client.put(f"/api/tasks/{task_id}", {"title": before + expected + after}, "json")
    patched = auth_client.patch(f"/api/tasks/{task_id}", {"title": expected[::-1]}, "json")

    assert put.json()["data"]["title"] == expected
    assert patched.json()["data"]["title"] == expected[::-1]
    assert auth_client.get(f"/api/tasks/{task_id}").json()["data"]["title"] == expected[::-1]


@bounded
@given(title=st.one_of(blank_titles, long_titles, titles_with_nul, not_strings, st.none()))
def test_an_invalid_title_is_a_422_and_stores_nothing(auth_client, title):
    count = Task.objects.count()

    response = _create(auth_client, {"title": title})

    _assert_422_on(response, "title")
    assert Task.objects.count() == count


@bounded
@given(title=st.one_of(blank_titles, long_titles, titles_with_nul, not_strings))
def test_an_invalid_title_in_an_update_is_a_422_and_changes_nothing(auth_client, title):
    task_id = _create(auth_client, {"title": "Kept"}).json()["data"]["id"]

    response = auth_client.patch(f"/api/tasks/{task_id}", {"title": title}, format="json")

    _assert_422_on(response, "title")
    assert Task.objects.get(pk=task_id).title == "Kept"


@bounded
@given(description=valid_descriptions)
def test_a_valid_description_round_trips_exactly_untrimmed(auth_client, description):
    created = _create(auth_client, {"title": "t", "description": description})

    assert created.status_code == 201, created.content
    task_id = created.json()["data"]["id"]
    assert created.json()["data"]["description"] == description
    assert auth_client.get(f"/api/tasks/{task_id}").json()["data"]["description"] == description
    assert Task.objects.get(pk=task_id).description == description


@bounded
@given(description=invalid_descriptions)
def test_an_invalid_description_is_a_422_and_stores_nothing(auth_client, description):
    count = Task.objects.count()

    response = _create(auth_client, {"title": "t", "description": description})

    _assert_422_on(response, "description")
    assert Task.objects.count() == count


@bounded
@given(
    prefix=st.text(storable, max_size=20),
    surrogate=lone_surrogates,
    suffix=st.text(storable, max_size=20),
    field=st.sampled_from(["title", "description"]),
)
def test_a_lone_surrogate_is_a_4xx_and_stores_nothing(
    auth_client, prefix, surrogate, suffix, field
):
    count = Task.objects.count()
    body = json.dumps({"title": "t", field: prefix + surrogate + suffix})  # "\udXXX" escapes

    response = auth_client.post("/api/tasks", body, content_type="application/json")

    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["code"] in ("MALFORMED_REQUEST", "VALIDATION_ERROR")
    assert Task.objects.count() == count


# --- tags and search ------------------------------------------------------------------------------

# What a tag may hold: anything storable but commas and control characters.
tag_characters = st.characters(
    exclude_categories=["Cs", "Cc"], exclude_characters=",", max_codepoint=0x2FFFF
)
valid_tags = st.text(tag_characters, min_size=1, max_size=50).filter(lambda t: t.strip() == t)
tag_lists = st.lists(st.tuples(whitespace, valid_tags, whitespace), max_size=20)


@bounded
@given(tags=tag_lists)
def test_valid_tags_are_stored_trimmed_and_collapsed_by_letter_case(auth_client, tags):
    sent = [before + tag + after for before, tag, after in tags]
    expected = {}
    for _, tag, _ in tags:
        expected.setdefault(fold(tag), tag)

    created = _create(auth_client, {"title": "t", "tags": sent})

    assert created.status_code == 201, created.content
    assert created.json()["data"]["tags"] == list(expected.values())
    task_id = created.json()["data"]["id"]
    for tag in expected.values():  # each tag finds the task, in any letter case
        for query in same_letters_other_case(tag):
            listed = auth_client.get("/api/tasks", {"tag": query}).json()["data"]
            assert task_id in [t["id"] for t in listed], query


@bounded
@given(
    tags=st.one_of(
        st.lists(valid_tags, min_size=21, max_size=25),
        st.lists(st.text(storable, min_size=51, max_size=60).filter(lambda t: len(t.strip()) > 50),
                 min_size=1, max_size=2),
        st.tuples(st.text(tag_characters, max_size=5), st.sampled_from([",", "\x00", "\n", "\x7f"]))
        .map(lambda parts: ["a" + "".join(parts) + "z"]),  # inside: trimming cannot remove it
        not_strings.filter(lambda value: value != []),
    )
)  # fmt: skip
def test_invalid_tags_are_a_422_and_store_nothing(auth_client, tags):
    count = Task.objects.count()

    response = _create(auth_client, {"title": "t", "tags": tags})

    _assert_422_on(response, "tags")
    assert Task.objects.count() == count


def same_letters_other_case(text: str) -> list[str]:
    """The text in other letter cases that Unicode's case folding equates with it: not every
    upper() does (`ı`, dotless i, uppercases to `I`, which folds to `i`)."""
    variants = [text, text.upper(), text.lower(), text.casefold(), text.swapcase()]
    return [v for v in variants if fold(v) == fold(text) and len(v.strip()) <= 50]


words = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"], max_codepoint=0x2FFFF),
    min_size=1,
    max_size=12,
).filter(lambda w: w.split() == [w])


@bounded
@given(before=words, word=words, after=words, in_title=st.booleans())
def test_a_word_of_a_task_finds_it_in_any_letter_case(auth_client, before, word, after, in_title):
    text = f"{before} {word} {after}"
    body = {"title": text} if in_title else {"title": "t", "description": text}
    task_id = _create(auth_client, body).json()["data"]["id"]

    for query in same_letters_other_case(word):
        found = auth_client.get("/api/tasks", {"search": query}).json()["data"]
        assert task_id in [t["id"] for t in found], query
