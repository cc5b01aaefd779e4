"""The Idempotency-Key table's writes: claim (one winner, even racing), keep, release, purge;
and the request fingerprint."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from api.idempotency import request_fingerprint
from api.models import IdempotencyKey
from api.services import (
    idempotency_claim,
    idempotency_keep,
    idempotency_purge,
    idempotency_release,
)
from testing.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def claim(key: str = "k", user_id: str = "u1", fingerprint: str = "f" * 64):
    return idempotency_claim(user_id=user_id, key=key, fingerprint=fingerprint)


def test_the_first_claim_holds_the_lease_and_the_second_sees_it_running():
    lease, claimed = claim()
    row, again = claim()

    assert claimed is True and again is False
    assert row.pk == lease.pk
    assert row.status is None
    assert row.lease == lease.lease


def test_keep_stores_the_response_for_the_lease_holder():
    lease, _ = claim()

    assert idempotency_keep(lease=lease, status=201, body=b'{"id":1}', location="/x", etag='"1"')

    row, claimed = claim()
    assert claimed is False
    assert (row.status, row.body, row.location, row.etag) == (201, '{"id":1}', "/x", '"1"')


def test_a_lease_taken_over_can_no_longer_keep_or_release(settings):
    settings.IDEMPOTENCY_LEASE_SECONDS = 1
    old, _ = claim()
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(seconds=2))
    new, claimed = claim()

    assert claimed is True
    assert idempotency_keep(lease=old, status=201, body=b"{}") is False
    idempotency_release(lease=old)
    assert IdempotencyKey.objects.get().lease == new.lease
    assert idempotency_keep(lease=new, status=200, body=b"{}") is True


def test_release_deletes_the_row_so_the_key_is_free_again():
    lease, _ = claim()

    idempotency_release(lease=lease)

    assert IdempotencyKey.objects.count() == 0
    assert claim()[1] is True


def test_keys_are_per_user():
    assert claim(user_id="u1")[1] is True
    assert claim(user_id="u2")[1] is True
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_of_racing_first_claims_exactly_one_wins(postgres_only):
    results = run_concurrently([claim for _ in range(8)])

    assert [type(result) for result in results] == [tuple] * 8
    assert sorted(claimed for _, claimed in results) == [False] * 7 + [True]
    [row] = IdempotencyKey.objects.all()
    assert {result[0].pk for result in results} == {row.pk}


def test_purge_deletes_only_keys_past_their_24_hours():
    now = timezone.now()
    claim(key="old")
    claim(key="fresh")
    claim(key="running-old")
    IdempotencyKey.objects.filter(key__endswith="old").update(expires_at=now)

    assert idempotency_purge(now=now) == 2
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_command_reports_what_it_deleted():
    claim(key="old")
    claim(key="fresh")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now())
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)
    call_command("purge_idempotency_keys", stdout=out)

    assert out.getvalue() == (
        "Purged 1 expired idempotency key(s).\nPurged 0 expired idempotency key(s).\n"
    )
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.parametrize(
    "other",
    [
        ("PATCH", "/api/tasks", b'{"a": 1}'),
        ("POST", "/api/tags", b'{"a": 1}'),
        ("POST", "/api/tasks", b'{"a":1}'),
        ("POST", "/api/tasks", b""),
    ],
    ids=["method", "path", "body-bytes", "no-body"],
)
def test_the_fingerprint_tells_method_path_and_body_apart(other):
    factory = APIRequestFactory()

    def fingerprint(method, path, body):
        request = factory.generic(method, path, body, content_type="application/json")
        return request_fingerprint(request)

    same = fingerprint("POST", "/api/tasks", b'{"a": 1}')
    assert fingerprint("POST", "/api/tasks/", b'{"a": 1}') == same  # the trailing slash aside
    assert fingerprint(*other) != same
