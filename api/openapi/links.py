"""OpenAPI links: how one operation's response feeds the next (client generators, Schemathesis).

A created or changed task's `data.id` is the `{task_id}` of every operation on that task (and
the `{user_id}` mount passes its own `user_id` along); a token bundle's `refresh_token` is the
body of refresh and signout. Schemathesis' stateful tests follow these links, so its sequences
act on real tasks and tokens: create, then get, update, complete, delete, get again...
"""

TASK_ID = "$response.body#/data/id"
DETAIL_OPERATIONS = {
    "GetTask": "tasks_retrieve",
    "UpdateTask": "tasks_update",
    "PatchTask": "tasks_partial_update",
    "CompleteTask": "tasks_complete",
    "DeleteTask": "tasks_destroy",
}
# The operations whose success body is a task: (path suffix, method, status).
TASK_PRODUCERS = [
    ("", "post", "201"),
    ("/{task_id}", "get", "200"),
    ("/{task_id}", "put", "200"),
    ("/{task_id}", "patch", "200"),
    ("/{task_id}/complete", "patch", "200"),
]
TOKEN_OPERATIONS = {"RefreshTokens": "auth_refresh", "SignOut": "auth_signout"}
TOKEN_PRODUCERS = [
    ("/api/auth/signup", "201"),
    ("/api/auth/signin", "200"),
    ("/api/auth/refresh", "200"),
]


def _task_links(mount_prefix: str) -> dict:
    parameters = {"task_id": TASK_ID}
    if mount_prefix:  # /api/{user_id}/tasks...: stay on the same user's mount
        parameters["user_id"] = "$request.path.user_id"
    return {
        name: {
            "operationId": mount_prefix + operation_id,
            "parameters": parameters,
            "description": f"`{operation_id}` on the task in this response.",
        }
        for name, operation_id in DETAIL_OPERATIONS.items()
    }


def _token_links() -> dict:
    body = {"refresh_token": "$response.body#/data/refresh_token"}
    return {
        name: {
            "operationId": operation_id,
            "requestBody": body,
            "description": f"`{operation_id}` with the refresh token in this response.",
        }
        for name, operation_id in TOKEN_OPERATIONS.items()
    }


def add_links(result, generator, request, public):
    """Postprocessing hook: the links above, on every operation that produces a task or tokens."""
    paths = result.get("paths", {})
    for base, prefix in (("/api/tasks", ""), ("/api/{user_id}/tasks", "user_")):
        for suffix, method, status in TASK_PRODUCERS:
            response = paths[base + suffix][method]["responses"][status]
            response["links"] = _task_links(prefix)
    for path, status in TOKEN_PRODUCERS:
        paths[path]["post"]["responses"][status]["links"] = _token_links()
    return result
