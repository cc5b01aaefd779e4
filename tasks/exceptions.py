"""What the task endpoints refuse, each with its contract code (api.errors does the rest)."""

from api.errors import InvalidParameter, PreconditionFailed, ResourceNotFound


class TaskNotFound(ResourceNotFound):
    """A task that does not exist or is not the caller's (the two are never told apart)."""

    default_detail = "Task not found."


class InvalidTaskId(InvalidParameter):
    default_detail = {"task_id": ["Must be a positive integer."]}


class TaskPreconditionFailed(PreconditionFailed):
    """`If-Match` names another version of the task: 412 with the task as it is now."""

    default_detail = "The task has changed since you read it (If-Match)."

    def __init__(self, current):
        from .serializers import TaskRowSerializer  # the one rendering of a task

        rendered = current if isinstance(current, dict) else TaskRowSerializer(current).data
        super().__init__(details={"current": rendered})
