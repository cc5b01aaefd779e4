"""Chat fixtures: the scripted provider wired into the settings, a secret-looking key."""

import pytest

from testing.scripted_provider import scripted_provider

API_KEY = "sk-test-0123456789abcdefSECRET"


@pytest.fixture
def provider(settings):
    """`provider(script)`: a scripted OpenAI-compatible server the chat is pointed at."""
    started = []

    def _start(script):
        context = scripted_provider(script)
        started.append(context)
        served = context.__enter__()
        settings.OPENAI_API_KEY = API_KEY
        settings.OPENAI_BASE_URL = served.url
        settings.CHAT_MODEL = "scripted-model"
        return served

    yield _start
    for context in started:
        context.__exit__(None, None, None)


@pytest.fixture
def chat_rate(settings):
    """`chat_rate("3/minute")`: THROTTLE_CHAT_RATE for this test."""

    def _set(value: str) -> None:
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "chat": value}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return _set
