"""Schemathesis against a live production-mode server on PostgreSQL, from its own OpenAPI schema.

Every operation is fuzzed (schema examples, boundary "coverage" cases, random valid and invalid
inputs) with a real token from the server's own signup, and every response is checked against
the schema: never a 5xx, a documented status code, the envelope, the content type and the
headers. The stateful run follows the schema's OpenAPI links (create, then get, update,
complete, delete...; signup, then refresh and signout), so its calls act on real tasks and
tokens. Bounded: about a minute on two cores. Vary it with FUZZ_SEED=<n> (a random stateful
run too) and FUZZ_EXAMPLES=<n> (examples per operation, default 30).
"""

import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import use_after_free

from accounts.models import User
from api.models import IdempotencyKey
from tasks.models import Task
from testing.live_server import LiveServer, live_server_process
from testing.scripted_provider import scripted_provider

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "fuzz-Horse-battery-9"
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 30))
SEED = int(os.environ.get("FUZZ_SEED", 20250131))
# Schemathesis's default for valid data (the not-a-server-error check still applies), 412 (a
# well-formed If-Match that names another version), and 422.
ACCEPTED_OR_422 = ["2xx", "3xx", 401, 403, 404, 409, 412, 422, 429, "5xx"]
TASK_WRITES = [
    f"{mount}tasks_{action}"
    for mount in ("", "user_")
    for action in ("create", "update", "partial_update")
]
# Nor is which Idempotency-Keys earlier calls used: a schema-valid key that one of them used for
# another request is a 422 IDEMPOTENCY_KEY_REUSED (the create, bulk and restore operations
# accept 422 already, below).
IDEMPOTENT_WRITES = [f"{mount}tasks_complete" for mount in ("", "user_")]
# Where a schema-valid request may still be a 422 the schema cannot express: a bulk body needs
# exactly one of `ids` and `filter`, and its filter values follow the list's rules; a cursor
# must be one the server signed.
MORE_422 = [f"{mount}tasks_{action}" for mount in ("", "user_") for action in ("bulk", "changes")]
# And the operations that take If-Match / If-None-Match: the coverage phase sends header values
# outside the header's pattern (`If-Match: 0`) as valid ones; the server's 422 is right.
CONDITIONAL = [
    f"{mount}tasks_{action}"
    for mount in ("", "user_")
    for action in ("list", "retrieve", "complete", "destroy", "restore")
]
HYPOTHESIS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


@pytest.fixture
def fuzz_server(postgres_only, transactional_db) -> LiveServer:
    """Production mode on the test database; signup and chat limits fuzzing never reaches; the
    chat's model is a scripted local provider that answers every message with text."""
    with scripted_provider([]) as provider:
        env = {
            "THROTTLE_AUTH_RATE": "100000/minute",
            "THROTTLE_CHAT_RATE": "100000/minute",
            "OPENAI_API_KEY": "sk-fuzz",
            "OPENAI_BASE_URL": provider.url,
        }
        with live_server_process(env=env, workers=2) as server:
            yield server
            print(f"--- end of the server log ---\n{server.log()[-20000:]}")


@pytest.fixture
def caller(fuzz_server) -> dict:
    """A real token bundle, as a client gets one: the server's own signup."""
    response = requests.post(
        f"{fuzz_server.url}/api/auth/signup",
        json={"email": "fuzz@example.com", "password": PASSWORD, "name": "Fuzz"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


@pytest.fixture
def task_ids(fuzz_server, caller) -> list[int]:
    """Some of the caller's tasks, so that stateless calls with an id also reach real rows."""
    headers = {"Authorization": f"Bearer {caller['access_token']}"}
    responses = [
        requests.post(
            f"{fuzz_server.url}/api/tasks", json={"title": f"Seed {i}"}, headers=headers, timeout=10
        )
        for i in range(20)
    ]
    return [response.json()["data"]["id"] for response in responses]


def _config(caller: dict, task_ids: list[int]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "auth": {"openapi": {"bearerAuth": {"bearer": caller["access_token"]}}},
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
            "request-timeout": 10,
            # Mostly the caller's own id and tasks (else nearly every call is a 403 or a 404).
            "dictionaries": {
                "caller": {"values": [caller["user"]["id"]]},
                "tasks": {"values": task_ids},
            },
            "parameters": {
                "path.user_id": {"dictionary": "caller", "probability": 0.8},
                "path.task_id": {"dictionary": "tasks", "probability": 0.5},
            },
            # Only the schema's own links: inferred ones cross the two task mounts, and then
            # "deleted on one, 404 on the other" looks to the checks like a lost resource.
            "phases": {"stateful": {"inference": {"algorithms": []}}},
            "operations": [
                {
                    # Password rules beyond a minimum length (not too common, not like the
                    # email) are no JSON Schema: the schema describes them, and 422 is right.
                    "include-operation-id": "auth_signup",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [201, 409, 422, 429]}
                    },
                },
                *[
                    {
                        # Nor is a recurrence rule's grammar, or that a rule needs a due date
                        # (OpenAPI 3.0 has no dependencies between fields): the schema says
                        # them in words, and 422 is right. Other fields are still held to it.
                        "include-operation-id": operation,
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_422}
                        },
                    }
                    for operation in sorted(
                        {*TASK_WRITES, *IDEMPOTENT_WRITES, *MORE_422, *CONDITIONAL}
                    )
                ],
            ],
        }
    )


@pytest.fixture
def api_schema(fuzz_server, caller, task_ids):
    url = f"{fuzz_server.url}/api/schema"
    return schemathesis.openapi.from_url(url, config=_config(caller, task_ids))


@pytest.fixture(autouse=True)
def _schemathesis_on_pytest_9_2(request):
    # Schemathesis 4.32.5 reads and rewrites `node._nodeid` to name each operation's subtest;
    # pytest 9.2 keeps the id elsewhere. A plain attribute is all it needs (reporting only).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


def _refused_by_the_server(response) -> bool:
    """A request line or header over the HTTP server's limits: its own 414 or 431, not JSON.

    The app never sees such a request, so neither the envelope nor the schema applies.
    """
    content_type = response.headers.get("content-type", [""])[0]  # Schemathesis: lower, lists
    return response.status_code in (414, 431) and not content_type.startswith("application/json")


@schema.parametrize()
@settings(**HYPOTHESIS)
def test_every_operation_conforms_to_the_schema_and_never_fails(case):
    response = case.call()
    if not _refused_by_the_server(response):
        case.validate_response(response, transport_kwargs={})


def test_stateful_sequences_conform_to_the_schema(api_schema, caller):
    reached: Counter = Counter()

    class Scenarios(api_schema.as_state_machine()):
        def setup(self):
            # The same data at the start of every scenario (the caller and nothing else), so a
            # replayed scenario meets the same answers: Hypothesis requires it.
            Task.objects.all().delete()
            User.objects.exclude(pk=caller["user"]["id"]).delete()
            IdempotencyKey.objects.all().delete()  # kept answers would name deleted tasks

        def after_call(self, response, case):
            super().after_call(response, case)
            reached[case.operation.label, response.status_code // 100] += 1

        def validate_response(self, response, case, **kwargs):
            if not _refused_by_the_server(response):
                # A deleted task is in the trash, and the links reach POST .../restore, after
                # which the task is served again by right: use_after_free would call that a
                # deleted resource still available. tasks/tests/test_views_trash.py holds a
                # trashed task to 404 for every other operation.
                case.validate_response(
                    response,
                    excluded_checks=[use_after_free],
                    transport_kwargs=kwargs or None,
                    recorder=getattr(self, "recorder", None),
                )

    Scenarios.run(
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=10,
            derandomize="FUZZ_SEED" not in os.environ,  # the same sequences on every CI run
            **HYPOTHESIS,
        )
    )

    # The links were followed: tasks were created, read, changed, completed and deleted.
    for suffix, method in [
        ("", "POST"),
        ("/{task_id}", "GET"),
        ("/{task_id}", "PUT"),
        ("/{task_id}", "PATCH"),
        ("/{task_id}/complete", "PATCH"),
        ("/{task_id}", "DELETE"),
    ]:
        mounts = (f"{method} /api/tasks{suffix}", f"{method} /api/{{user_id}}/tasks{suffix}")
        assert any(reached[label, 2] for label in mounts), (method, suffix, reached)
    assert reached["POST /api/auth/refresh", 2], reached
