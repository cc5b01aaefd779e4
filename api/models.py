"""What the HTTP conventions keep in the database: the responses kept for `Idempotency-Key`s."""

from django.db import models


class IdempotencyKey(models.Model):
    """One user's `Idempotency-Key`: a lease while its first request runs, then the response.

    `status` is null while the first request runs (the lease, held by whoever knows `lease`);
    then the kept 2xx response. The row is keyed by the user's id as text, not a foreign key:
    the HTTP layer knows no domain model, and a row lives 24 hours at most anyway.
    """

    id = models.BigAutoField(primary_key=True)
    user_id = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    # sha256 of the method, the path and the raw body: what a retry must send again.
    fingerprint = models.CharField(max_length=64)
    lease = models.CharField(max_length=32)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True, default="")  # the response's data, as JSON
    location = models.TextField(blank=True, default="")
    etag = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()  # when the lease was taken
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
