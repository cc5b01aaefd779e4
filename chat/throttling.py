"""THROTTLE_CHAT_RATE chat requests per user, counted in the shared cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.throttling import count_attempt, seconds_left, throttle_key


class ChatRateThrottle(SimpleRateThrottle):
    """Per user (not per address): each chat request costs a model run, whoever sends it.

    One atomic increment per request (accounts.throttling.count_attempt), so several server
    processes sharing a Redis cache hold one limit together.
    """

    scope = "chat"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # read now: tests may change it

    def get_cache_key(self, request, view) -> str:
        return throttle_key(self.scope, str(request.user.pk))

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        return count_attempt(self.key, duration=self.duration) <= self.num_requests

    def wait(self) -> float:
        return seconds_left(self.key, duration=self.duration)
