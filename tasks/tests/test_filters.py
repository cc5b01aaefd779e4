"""tasks/filters.py without a request: the FilterSet on a plain dict, search and ordering as
functions (what bulk actions by filter and the MCP tools reuse), with the same messages."""

import pytest
from django.core.exceptions import ValidationError

from tasks.factories import TaskFactory
from tasks.filters import ORDERING, TRUE_FALSE, clean_ordering, clean_search, filter_tasks
from tasks.rules import Priority
from tasks.selectors import task_list, task_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(user):
    return [
        TaskFactory(user=user, title="a xyzzy", tags=["Work"], priority=Priority.HIGH),
        TaskFactory(user=user, title="b", tags=["home"], completed=True),
        TaskFactory(user=user, title="c", tags=["work", "home"], priority=Priority.LOW),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"a xyzzy", "b", "c"}),
        ({"completed": True}, {"b"}),
        ({"completed": "false"}, {"a xyzzy", "c"}),
        ({"tag": ["WORK"]}, {"a xyzzy", "c"}),
        ({"tag": "home"}, {"b", "c"}),
        ({"priority": ["high", "low"]}, {"a xyzzy", "c"}),
        ({"priority": "high,low", "tag": ["home"]}, {"c"}),
        ({"has_due": False, "unknown": 1}, {"a xyzzy", "b", "c"}),
    ],
)
def test_the_filterset_takes_a_plain_dict(user, three, params, expected):
    assert {t.title for t in filter_tasks(task_list(user=user), params)} == expected


def test_invalid_values_in_a_dict_are_a_validation_error_keyed_by_parameter(user):
    with pytest.raises(ValidationError) as caught:
        filter_tasks(task_list(user=user), {"completed": "maybe", "overdue": 1})

    assert caught.value.message_dict == {"completed": [TRUE_FALSE], "overdue": [TRUE_FALSE]}


def test_search_and_ordering_work_without_a_request(user, three):
    ordered = task_list(user=user).order_by(*clean_ordering("-priority,title"))

    assert [t.title for t in ordered] == ["a xyzzy", "b", "c"]
    assert [t.title for t in task_search(ordered, clean_search("XYZZY"))] == ["a xyzzy"]
    with pytest.raises(ValidationError, match="Must be a comma list"):
        clean_ordering("owner")
    assert ORDERING.startswith("Must be a comma list")
