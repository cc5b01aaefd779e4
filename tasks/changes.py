"""Change numbers and the sync feed (`GET .../changes`).

Every write to a user's tasks takes the next number of that user's counter (`ChangeCounter`)
in the same transaction as the write, and stores it on the row it wrote (`Task.change_seq`, or
the purged task's `TaskTombstone.change_seq`). Taking a number locks the counter row until the
transaction ends, so for one user the numbers become visible in the order they were given out:
when number n is committed, every smaller number is committed (or was rolled back and is a gap).
That holds across server processes, which is what lets a reader follow a cursor without ever
skipping a change that another process commits late.

The counter row is always locked before any task row of its user (the number is taken first),
so two writers never wait on each other in opposite orders.

- PostgreSQL: a plain write stays one statement, a data-modifying CTE that takes the number
  and writes the task (`WITH seq AS (INSERT ... ON CONFLICT DO UPDATE ... RETURNING last)
  UPDATE tasks_task SET ..., change_seq = (SELECT last FROM seq) ...`).
- SQLite: no data-modifying CTEs; the number is taken by its own statement in a transaction
  with the write (SQLite runs one writer at a time anyway): two statements and the transaction.

The feed reads the counter first (`high`, its last committed value), then the tasks and the
tombstones numbered in (cursor, high]: all committed, and a row changed again meanwhile moves
past `high` and comes in a later page. Each row shows once, as it is now.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from .models import ChangeCounter, Task, TaskTombstone
from .selectors import TASK_ROW_FIELDS

_COUNTER = ChangeCounter._meta.db_table
_TAKE = (
    f"INSERT INTO {_COUNTER} (user_id, last) VALUES (%s, %s) "
    "ON CONFLICT (user_id) DO UPDATE SET last = " + _COUNTER + ".last + EXCLUDED.last "
    "RETURNING last"
)
SEQ = "{seq}"  # where a write's SQL wants its change number
_CURSOR_SALT = "tasks.changes.cursor"


def take_change_numbers(user_id, count: int = 1) -> int:
    """Take `count` numbers from the user's counter (in the caller's transaction); returns the
    last of them (they are last - count + 1 .. last)."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [user_id, count])
        return cursor.fetchone()[0]


@contextmanager
def numbered(user_id, sql: str, params: list) -> Iterator[tuple[str, list]]:
    """The statement to run for one write whose SQL says `{seq}` where its change number goes.

    PostgreSQL: the same statement, which takes its number in a CTE (one statement). SQLite:
    the number is taken first, and the block (the caller's write) runs in the same transaction.
    """
    if connection.vendor == "postgresql":
        yield (
            f"WITH seq AS ({_TAKE}) " + sql.replace(SEQ, "(SELECT last FROM seq)"),
            [
                user_id,
                1,
                *params,
            ],
        )
        return
    with transaction.atomic():
        seq = take_change_numbers(user_id)
        yield sql.replace(SEQ, str(int(seq))), params


# --- The feed ---------------------------------------------------------------------------------


CURSOR_INVALID = "Not a cursor this server gave you: start again without one."


class InvalidCursor(Exception):
    """A cursor this server did not give this user, or one that was changed."""


def make_cursor(*, user_id, seq: int) -> str:
    """An opaque, signed cursor: this user's change number `seq`."""
    return signing.dumps([str(user_id), seq], salt=_CURSOR_SALT)


def read_cursor(*, user_id, cursor: str | None) -> int:
    """The change number in a cursor (0 for none), or InvalidCursor."""
    if cursor is None:
        return 0
    try:
        owner, seq = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor from exc
    if owner != str(user_id) or not isinstance(seq, int) or seq < 0:
        raise InvalidCursor
    return seq


def task_changes(*, user, after: int, limit: int) -> tuple[list, int, bool]:
    """The user's changes numbered after `after`, oldest first: (items, last number, has_more).

    Items are task rows (dicts, trashed ones included) and tombstones (`{"id", "purged"}`).
    Three statements: the counter, the tasks, the tombstones.
    """
    high = ChangeCounter.objects.filter(user=user).values_list("last", flat=True).first() or 0
    if after > high:  # from another history (a database restored to an earlier state, or the
        # user deleted and made again): following it would skip changes until the count caught up
        raise ValidationError({"cursor": [CURSOR_INVALID]}, code="invalid")
    numbered = {"user": user, "change_seq__gt": after, "change_seq__lte": high}
    tasks = list(
        Task.objects.filter(**numbered)
        .order_by("change_seq")
        .values(*TASK_ROW_FIELDS, "change_seq")[: limit + 1]
    )
    purged = list(
        TaskTombstone.objects.filter(**numbered)
        .order_by("change_seq")
        .values("task_id", "change_seq")[: limit + 1]
    )
    gone = [{"id": p["task_id"], "purged": True, "change_seq": p["change_seq"]} for p in purged]
    merged = sorted([*tasks, *gone], key=lambda item: item["change_seq"])
    page, has_more = merged[:limit], len(merged) > limit
    last = page[-1]["change_seq"] if has_more else max(high, after)
    return page, last, has_more
