"""Fixtures for the auth tests: asymmetric keys and a real JWKS server over HTTP."""

import pytest

from testing.jwks import JWKSServer, SigningKey, new_private_key


@pytest.fixture
def make_key():
    """`make_key("EdDSA" | "ES256" | "RS256" | "ES384" | "PS256")`: a fresh key pair."""
    return lambda alg: SigningKey(alg=alg, private_key=new_private_key(alg))


@pytest.fixture
def jwks_server():
    server = JWKSServer()
    yield server
    server.stop()


@pytest.fixture
def jwks_settings(settings, jwks_server):
    """JWT_JWKS_URL pointed at the test JWKS server (other JWT settings as configured)."""
    settings.JWT_JWKS_URL = jwks_server.url
    return settings


@pytest.fixture
def rate(settings):
    """`rate("3/minute")`: THROTTLE_AUTH_RATE for this test."""

    def _set(value: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"auth": value},
        }

    return _set


@pytest.fixture
def num_proxies(settings):
    """`num_proxies(1)`: NUM_PROXIES for this test (how far X-Forwarded-For is believed)."""

    def _set(value: int) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": value}

    return _set
