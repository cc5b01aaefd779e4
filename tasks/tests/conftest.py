"""Fixtures for the task API tests: both mounts, with and without the trailing slash."""

import pytest

# The caller's task list under each mount; {user_id} is accepted in any letter case.
MOUNTS = {
    "own": lambda user: "/api/tasks",
    "user-id": lambda user: f"/api/{user.pk}/tasks",
    "user-id-upper": lambda user: f"/api/{str(user.pk).upper()}/tasks",
}


@pytest.fixture(params=list(MOUNTS))
def mount(request, user) -> str:
    """The path of `user`'s task list, once per mount."""
    return MOUNTS[request.param](user)


@pytest.fixture(params=["", "/"], ids=["no-slash", "slash"])
def slash(request) -> str:
    return request.param
