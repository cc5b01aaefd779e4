"""`Idempotency-Key` on a view method (API.md, "Preconditions and retries"): `@idempotent`.

A request with the header runs its work once per user and key: the first 2xx response is kept
24 hours in the database (api.services), and a retry with the same method, path and body gets
it again with `Idempotent-Replayed: true`. The same key for another request is a 422, the same
key while its first request runs a 409. Without the header, nothing changes (no statement).
"""

import functools
import hashlib
import re

import orjson
from django.db import transaction
from rest_framework.response import Response

from .envelope import json_bytes
from .errors import ApiError, Conflict, InvalidParameter
from .services import idempotency_claim, idempotency_keep, idempotency_release

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = "^[!-~]{1,255}$"  # 1 to 255 visible ASCII characters (no space, no control)
_KEY = re.compile(KEY_PATTERN)
KEY_MESSAGE = "Idempotency-Key must be 1 to 255 visible ASCII characters."


class IdempotencyKeyInUse(Conflict):
    default_detail = "The first request with this Idempotency-Key is still running; retry later."


class IdempotencyKeyReused(ApiError):
    default_code = "IDEMPOTENCY_KEY_REUSED"


class InvalidIdempotencyKey(InvalidParameter):
    default_detail = {KEY_HEADER: [KEY_MESSAGE]}


def idempotent(handler):
    """Decorate a view method (`create`, an `@action`...) so that it honours `Idempotency-Key`.

    The view's work and the keeping of its response are one transaction: a crash between them
    cannot leave work done and no response kept (which a retry would then do again).
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(KEY_HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise InvalidIdempotencyKey()
        fingerprint = request_fingerprint(request)
        row, claimed = idempotency_claim(
            user_id=str(request.user.pk), key=key, fingerprint=fingerprint
        )
        if not claimed:
            return replay(row, fingerprint)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300 and not _keep(row, response):
                    raise IdempotencyKeyInUse()  # our lease was taken over: undo our work
        except BaseException:
            idempotency_release(lease=row)
            raise
        if not 200 <= response.status_code < 300:
            idempotency_release(lease=row)
        return response

    wrapper.idempotent = True  # for the OpenAPI schema (api.openapi.schema)
    return wrapper


def request_fingerprint(request) -> str:
    """sha256 of the method, the path (without a trailing slash) and the raw body's bytes."""
    digest = hashlib.sha256()
    head = f"{request.method} {request.path.rstrip('/')}\n"
    digest.update(head.encode("utf-8", "surrogatepass"))
    digest.update(request.body)
    return digest.hexdigest()


def replay(row, fingerprint: str) -> Response:
    """The kept response again; a 422 for another request with the key, a 409 while running."""
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if row.status is None:
        raise IdempotencyKeyInUse()
    headers = {REPLAYED_HEADER: "true"}
    if row.location:
        headers["Location"] = row.location
    if row.etag:
        headers["ETag"] = row.etag
    return Response(orjson.loads(row.body), status=row.status, headers=headers)


def _keep(row, response) -> bool:
    return idempotency_keep(
        lease=row,
        status=response.status_code,
        body=json_bytes(response.data),
        location=response.get("Location", ""),
        etag=response.get("ETag", ""),
    )
