"""Sign-in limits kept in Django's cache (Redis when shared): the API's signin and signup per
client address, the admin's sign-in per client address and per account tried."""

import hashlib
import logging
import math
import time

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .exceptions import SignInUnavailable

logger = logging.getLogger(__name__)


def throttle_key(scope: str, ident: str) -> str:
    """The cache key of `ident` (an address, an account, a user id) under `scope`, hashed."""
    digest = hashlib.sha256(ident.encode()).hexdigest()  # no addresses or emails in the cache
    return f"throttle:{scope}:{digest[:32]}"


def count_attempt(key: str, *, duration: int) -> int:
    """This attempt's number in the key's current window (opened by its first attempt).

    One atomic `incr` per attempt, so concurrent requests to several processes sharing a Redis
    cache can never together get past a limit (DRF's own throttles read, modify and write back
    a list, which lets simultaneous requests slip through). A cache that cannot be reached is
    SignInUnavailable (503): signing in without its brute-force limit is not on offer.
    """
    try:
        # The window's start lives beside the counter; both expire together.
        cache.add(f"{key}:start", time.time(), duration)
        cache.add(key, 0, duration)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr: open a new one
            cache.set(key, 1, duration)
            count = 1
        if count == 1:  # make sure a counter re-created by incr itself still expires
            cache.touch(key, duration)
        return count
    except (RedisError, OSError) as exc:
        logger.warning("Throttle cache unavailable: %s", type(exc).__name__)
        raise SignInUnavailable() from None


def seconds_left(key: str, *, duration: int) -> int:
    """Whole seconds until the key's window closes (at least 1)."""
    now = time.time()
    try:
        started = cache.get(f"{key}:start", now)
    except (RedisError, OSError):
        started = now
    return max(1, math.ceil(started + duration - now))


class AuthRateThrottle(SimpleRateThrottle):
    """THROTTLE_AUTH_RATE requests per client address, counted separately per view.

    The address is DRF's `get_ident`: `X-Forwarded-For` counts only as far as NUM_PROXIES
    trusted proxies allow.
    """

    scope = "auth"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # read now: tests may change it

    def get_cache_key(self, request, view) -> str:
        scope = f"{self.scope}:{getattr(view, 'throttle_scope', 'default')}"
        return throttle_key(scope, self.get_ident(request) or "unknown")

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        return count_attempt(self.key, duration=self.duration) <= self.num_requests

    def wait(self) -> float:
        return seconds_left(self.key, duration=self.duration)


def admin_sign_in_wait(request) -> int | None:
    """Seconds to wait when this admin sign-in attempt is over THROTTLE_AUTH_RATE, else None.

    Counted per client address first, then per account tried (the email, in any letter case):
    an attempt the address limit refuses does not count against the account, so one address
    cannot keep an account locked beyond its own share, while many addresses guessing one
    account's password are stopped by the account's limit. Raises SignInUnavailable (503) when
    the shared cache cannot be reached.
    """
    rate = AuthRateThrottle()  # THROTTLE_AUTH_RATE, and DRF's idea of the client address
    if rate.rate is None:
        return None
    account = request.POST.get("username", "").strip().lower()
    for scope, ident in (("address", rate.get_ident(request) or "unknown"), ("account", account)):
        key = throttle_key(f"admin-sign-in:{scope}", ident)
        if count_attempt(key, duration=rate.duration) > rate.num_requests:
            logger.warning("Admin sign-in attempts over the limit (per %s)", scope)
            return seconds_left(key, duration=rate.duration)
    return None
