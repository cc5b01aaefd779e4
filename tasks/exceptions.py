"""What the task endpoints refuse, each with its contract code (api.errors does the rest)."""

from api.errors import InvalidParameter, ResourceNotFound


class TaskNotFound(ResourceNotFound):
    """A task that does not exist or is not the caller's (the two are never told apart)."""

    default_detail = "Task not found."


class InvalidTaskId(InvalidParameter):
    default_detail = {"task_id": ["Must be a positive integer."]}
