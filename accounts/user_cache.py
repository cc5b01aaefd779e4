"""The users that bearer tokens named lately, remembered per process for a few seconds.

Every authenticated request needs the user its token's `sub` names: without this, one SELECT
(a database round trip) per request, a fifth to a third of a request's cost (bench/RESULTS.md).
A hit skips it when the same `sub` came with the same `email` and `name` claims within
`AUTH_USER_CACHE_SECONDS` (default 5; 0 turns the cache off). What that costs: a user
deactivated (or deleted) by another process is still let in by this one for up to that long.
Saving or deleting a user through the ORM (the admin, services) forgets it in this process at
once, and a new process starts empty. Bounded: at most `MAX_ENTRIES` users, expired ones first
and then the oldest dropped. Thread-safe: one lock around the dict; every hit is a copy of the
stored instance, so a request that changes its `request.user` changes nobody else's.
"""

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models.base import ModelState

from .models import User

MAX_ENTRIES = 10_000

_lock = threading.Lock()
_entries: dict[str, tuple[float, tuple, User]] = {}  # sub -> (expires, (email, name), user)


def _copy(user: User) -> User:
    """A detached copy of `user`: its own field values and model state, no query."""
    clone = User.__new__(User)
    clone.__dict__ = user.__dict__.copy()
    clone._state = ModelState()
    clone._state.db, clone._state.adding = user._state.db, False
    return clone


def cached_user(sub: str, profile: tuple, load: Callable[[], User]) -> User:
    """The user `sub` names: remembered if seen with the same `profile` (email, name claims)
    less than AUTH_USER_CACHE_SECONDS ago, else `load()` (remembered for next time)."""
    ttl = settings.AUTH_USER_CACHE_SECONDS
    if not ttl:
        return load()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(sub)
    if entry is not None and entry[0] > now and entry[1] == profile:
        return _copy(entry[2])
    user = load()
    with _lock:
        _entries.pop(sub, None)  # re-inserted last: the dict's order is the age order
        if len(_entries) >= MAX_ENTRIES:
            _evict(now)
        _entries[sub] = (now + ttl, profile, _copy(user))
    return user


def _evict(now: float) -> None:
    for key in [key for key, (expires, _, _) in _entries.items() if expires <= now]:
        del _entries[key]
    while len(_entries) >= MAX_ENTRIES:
        del _entries[next(iter(_entries))]


def forget(user_id) -> None:
    """Drop one user (after it was saved or deleted in this process)."""
    with _lock:
        _entries.pop(str(user_id), None)


def clear() -> None:
    with _lock:
        _entries.clear()


def size() -> int:
    with _lock:
        return len(_entries)
