"""Per-client-address limits on signin and signup, kept in Django's cache (Redis when shared)."""

import hashlib
import logging
import math

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .exceptions import SignInUnavailable

logger = logging.getLogger(__name__)


class AuthRateThrottle(SimpleRateThrottle):
    """THROTTLE_AUTH_RATE requests per client address, counted separately per view.

    The count is an atomic `incr` on one cache key per address and window (the window opens
    with the first request), so concurrent requests to several processes sharing a Redis
    cache can never together get past the limit; DRF's own throttles read, modify and write
    back a list, which lets simultaneous requests slip through. The address is DRF's
    `get_ident`: `X-Forwarded-For` counts only as far as NUM_PROXIES trusted proxies allow.
    """

    scope = "auth"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # read now: tests may change it

    def get_cache_key(self, request, view) -> str:
        ident = hashlib.sha256((self.get_ident(request) or "unknown").encode()).hexdigest()
        return f"throttle:{self.scope}:{getattr(view, 'throttle_scope', 'default')}:{ident[:32]}"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        try:
            return self._count(request, view) <= self.num_requests
        except (RedisError, OSError) as exc:
            # Fail closed, and say so: signin without its brute-force limit is not on offer.
            logger.warning("Throttle cache unavailable: %s", type(exc).__name__)
            raise SignInUnavailable() from None

    def _count(self, request, view) -> int:
        """This request's number in the client's current window."""
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        # The window's start lives beside the counter; both expire together.
        cache.add(f"{self.key}:start", self.now, self.duration)
        cache.add(self.key, 0, self.duration)
        try:
            count = cache.incr(self.key)
        except ValueError:  # the window expired between add and incr: open a new one
            cache.set(self.key, 1, self.duration)
            count = 1
        if count == 1:  # make sure a counter re-created by incr itself still expires
            cache.touch(self.key, self.duration)
        return count

    def wait(self) -> float:
        started = cache.get(f"{self.key}:start", self.now)
        return max(1, math.ceil(started + self.duration - self.now))
