"""Fixtures for the task API tests: both mounts, with and without the trailing slash."""

import pytest

from tasks.factories import TaskFactory
from testing.snapshot import stored

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


# The hostile-input tests: a task of the caller's next to someone else's, and a snapshot of
# everything stored, to prove a refused request changed nothing.
@pytest.fixture
def target_task(user, other_user):
    TaskFactory(user=other_user, title="Someone else's")
    return TaskFactory(user=user, title="Original", description="Kept", completed=False)


@pytest.fixture
def stored_before(target_task):
    """Everything stored before the hostile request."""
    return stored()
