"""pytest overlay: safe secrets for the test run (set before settings are read), fast hashing."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-" + "k7Qx9vLm2Rp4Zt8Wn3Yb6Hc1Jd5Fg0Ks" * 2
)
os.environ.setdefault("BETTER_AUTH_SECRET", "test-better-auth-secret-" + "Vq3Lp8Xz1Mn6Rt4Yw9Kb2")
os.environ.setdefault("DJANGO_DEBUG", "false")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Always process-local: tests clear the cache between tests and must never flush a real Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Plain static storage: the manifest exists only after collectstatic (the e2e server runs it).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected files in tests (WhiteNoise would warn about a missing STATIC_ROOT on every client).
STATIC_ROOT = None
