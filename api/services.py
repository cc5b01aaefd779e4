"""Every write of the HTTP layer's own table: the leases and kept responses of Idempotency-Keys.

A key's first request inserts its row in one statement that commits on its own (the lease),
before any work: of concurrent first requests exactly one insert wins (`ON CONFLICT DO
NOTHING` on the unique (user, key)), the others read the row the winner committed. The winner
then keeps its 2xx response in the row, in the same transaction as its work, or deletes the
row (an error is not kept). A lease whose request died (older than IDEMPOTENCY_LEASE_SECONDS)
and a row past its 24 hours are taken over by compare-and-set on the lease.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
_CLAIM_ATTEMPTS = 3  # a row can vanish between a lost insert and the read (its request failed)


def idempotency_claim(*, user_id: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether this request now holds its lease (as `get_or_create` says
    whether it created): when False the row is someone else's, running or done."""
    existing = None
    for _ in range(_CLAIM_ATTEMPTS):
        now = timezone.now()
        lease = IdempotencyKey(
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            lease=uuid.uuid4().hex,
            created_at=now,
            expires_at=now + KEY_LIFETIME,
        )
        if _insert_if_absent(lease):
            return lease, True
        existing = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if existing is None:
            continue  # its request failed and released it meanwhile: try again
        if not _abandoned(existing, now):
            return existing, False
        if _take_over(existing, lease):
            lease.pk = existing.pk
            return lease, True
    return existing or IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint), False


def idempotency_keep(
    *, lease: IdempotencyKey, status: int, body: bytes, location: str = "", etag: str = ""
) -> bool:
    """Keep the response of the request holding `lease`; False if its lease was taken over."""
    kept = IdempotencyKey.objects.filter(pk=lease.pk, lease=lease.lease).update(
        status=status, body=body.decode(), location=location, etag=etag
    )
    return kept == 1


def idempotency_release(*, lease: IdempotencyKey) -> None:
    """Forget a key whose request failed, so that a retry runs again."""
    IdempotencyKey.objects.filter(pk=lease.pk, lease=lease.lease).delete()


def idempotency_purge(*, now: datetime | None = None) -> int:
    """Delete the keys whose 24 hours are over; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _abandoned(row: IdempotencyKey, now: datetime) -> bool:
    """Over (its 24 hours passed), or a lease whose request cannot still be running."""
    lease_timeout = timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
    return row.expires_at <= now or (row.status is None and row.created_at <= now - lease_timeout)


def _take_over(row: IdempotencyKey, lease: IdempotencyKey) -> bool:
    """Replace an abandoned row with a new lease, unless someone else just did."""
    taken = IdempotencyKey.objects.filter(pk=row.pk, lease=row.lease).update(
        fingerprint=lease.fingerprint,
        lease=lease.lease,
        status=None,
        body="",
        location="",
        etag="",
        created_at=lease.created_at,
        expires_at=lease.expires_at,
    )
    return taken == 1


def _insert_if_absent(row: IdempotencyKey) -> bool:
    """INSERT the row unless the user has the key already: one statement, no error to catch
    (so no savepoint inside a transaction); sets the row's id when it wins."""
    meta = IdempotencyKey._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({quote('user_id')}, {quote('key')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    return True
