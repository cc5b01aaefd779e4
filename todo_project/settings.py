"""Settings for the todo API: every value comes from the environment (or a `.env` file)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

# --- Paths and environment helpers -------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent

# A `.env` file fills in what the real environment does not set (never overrides it).
load_dotenv(BASE_DIR / ".env", override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string variable, stripped; `default` when unset."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """`true`/`false` (and 1/0, yes/no, on/off); anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number of at least `minimum`."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Security -----------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
_DEV_AUTH_SECRET = "dev-only-better-auth-secret-do-not-use-in-production"


def _required_secret(name: str, dev_value: str, *, min_length: int, min_unique: int) -> str:
    """Read a secret; outside DEBUG a missing, short or development value stops the server."""
    value = env_str(name)
    if not value and DEBUG:
        return dev_value
    if not value:
        raise ImproperlyConfigured(f"{name} is required when DJANGO_DEBUG is false.")
    weak = (
        len(value) < min_length
        or len(set(value)) < min_unique
        or value in (_DEV_SECRET_KEY, _DEV_AUTH_SECRET)
        or value.startswith("django-insecure")
    )
    if weak and not DEBUG:
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least {min_length} random characters "
            f"(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return value


SECRET_KEY = _required_secret("DJANGO_SECRET_KEY", _DEV_SECRET_KEY, min_length=50, min_unique=5)
BETTER_AUTH_SECRET = _required_secret(
    "BETTER_AUTH_SECRET", _DEV_AUTH_SECRET, min_length=32, min_unique=5
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto only when told to.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Request bodies above this many bytes are refused with 413 PAYLOAD_TOO_LARGE.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# `manage.py purge_trash` removes tasks that have been in the trash longer than this.
TRASH_RETENTION_DAYS = env_int("TRASH_RETENTION_DAYS", 30)

# --- Applications ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "accounts.apps.AdminConfig",  # django.contrib.admin, with a rate-limited sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver serves static files the way production does
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (no CDN)
    "rest_framework_simplejwt.token_blacklist",  # refresh rotation and signout
    "api",
    "accounts",
    "tasks",
    "chat",
]

MIDDLEWARE = [
    "api.middleware.RequestIDMiddleware",  # X-Request-ID and the access log line
    "api.middleware.ErrorPageEnvelopeMiddleware",  # JSON, not Django's HTML, under /api
    "api.middleware.StaleConnectionMiddleware",  # drop DB connections that died while idle
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, also with DEBUG off
    "api.middleware.CorsMiddleware",  # django-cors-headers, plus the MCP headers on /mcp
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's auth and messages middleware, doing nothing for /api/ paths (bearer tokens there)
    # and everything for the admin (api/middleware.py). Sessions and CSRF stay Django's own
    # classes: `check --deploy` looks for exactly them (their cookie settings).
    "api.middleware.AuthenticationMiddleware",
    "api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "todo_project.urls"
WSGI_APPLICATION = "todo_project.wsgi.application"
# Paths are matched with and without a trailing slash by the URL patterns themselves.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        # No per-request `SELECT 1` round trip: api.db drops connections the database
        # closed while idle (StaleConnectionMiddleware) and retries a failed first query.
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (then 503) instead of hanging when the database is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 2, minimum=1)
    )
    # A stuck query (a lock wait, a runaway plan) is cancelled after this long (then 503), so it
    # cannot hold one of the server's few threads forever. 0: no limit (PostgreSQL's default).
    # Sent as a startup parameter; a pooler that refuses those: 0 here, `ALTER ROLE ... SET`.
    _statement_timeout_ms = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000)
    if _statement_timeout_ms:
        _options = DATABASES["default"]["OPTIONS"]
        _options["options"] = " ".join(
            filter(None, [_options.get("options"), f"-c statement_timeout={_statement_timeout_ms}"])
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 hashes new passwords; the others still verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- DRF and JWT -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.openapi.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.SubClaimJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["api.envelope.EnvelopeJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # `?format=` is an unknown parameter like any other (the contract ignores those); only the
    # schema view reads it (api/openapi/views.py).
    "URL_FORMAT_OVERRIDE": None,
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("THROTTLE_AUTH_RATE", "10/minute"),
        "chat": env_str("THROTTLE_CHAT_RATE", "20/minute"),  # per user (chat/throttling.py)
    },
}

JWT_ISSUER = env_str("JWT_ISSUER") or None
JWT_AUDIENCE = env_str("JWT_AUDIENCE") or None
JWT_JWKS_URL = env_str("JWT_JWKS_URL") or None
if JWT_JWKS_URL and not JWT_JWKS_URL.lower().startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"JWT_JWKS_URL must be an http(s) URL, not {JWT_JWKS_URL!r}.")
JWT_LEEWAY_SECONDS = env_int("JWT_LEEWAY_SECONDS", 30)
# Seconds a process remembers the user a token's `sub` names (accounts.user_cache): a user
# deactivated by another process may still be let in by this one for that long. 0: off.
AUTH_USER_CACHE_SECONDS = env_int("AUTH_USER_CACHE_SECONDS", 5)
JWT_ACCESS_TTL_SECONDS = env_int("JWT_ACCESS_TTL_SECONDS", 3600, minimum=1)
JWT_REFRESH_TTL_SECONDS = env_int("JWT_REFRESH_TTL_SECONDS", 604800, minimum=1)
# JWKS: fetch timeout (also the longest a request waits for a fetch), key set lifetime. An
# unknown kid refetches at once, at most once a second (accounts/jwks.py).
JWT_JWKS_TIMEOUT_SECONDS = env_int("JWT_JWKS_TIMEOUT_SECONDS", 2, minimum=1)
JWT_JWKS_CACHE_SECONDS = env_int("JWT_JWKS_CACHE_SECONDS", 300, minimum=1)

SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": BETTER_AUTH_SECRET,
    "AUDIENCE": JWT_AUDIENCE,
    "ISSUER": JWT_ISSUER,
    "LEEWAY": JWT_LEEWAY_SECONDS,
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=JWT_ACCESS_TTL_SECONDS),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=JWT_REFRESH_TTL_SECONDS),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "UPDATE_LAST_LOGIN": False,
}

# Idempotency-Key: a first request that ran this long without finishing is taken for dead (its
# process crashed), and a retry with its key runs. Longer than any request may run
# (GUNICORN_TIMEOUT, 30 s by default).
IDEMPOTENCY_LEASE_SECONDS = env_int("IDEMPOTENCY_LEASE_SECONDS", 60, minimum=1)

# OpenAPI schema at /api/schema, Swagger UI at /api/docs (api/openapi/; each view documents itself).
SPECTACULAR_SETTINGS = {
    "TITLE": "Todo API",
    "DESCRIPTION": (
        "A multi-user todo API. Every response is JSON in an envelope: `{success, data, "
        "message[, meta]}`, or `{success: false, error: {code, message, details?}}` for errors. "
        "Send `Authorization: Bearer <jwt>`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],  # the schema and docs are public; a bad token must not 401 them
    "COMPONENT_SPLIT_REQUEST": True,  # TaskRequest (what you send) apart from Task (what you get)
    "PREPROCESSING_HOOKS": ["api.openapi.hooks.normalize_paths"],
    "POSTPROCESSING_HOOKS": ["api.openapi.hooks.add_components"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # validatorUrl null: Swagger UI would otherwise send the schema to an outside validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayOperationId": True, "validatorUrl": None},
}

# --- Chat assistant (Phase III) ------------------------------------------------------------------
# Any OpenAI-compatible provider's Chat Completions API. No key: the chat answers 503. The key
# stays here: it is never logged or answered (chat/agent.py logs error types only).
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")  # empty: the openai client's default
CHAT_MODEL = env_str("CHAT_MODEL", "gpt-4o-mini")
CHAT_TIMEOUT_SECONDS = env_int("CHAT_TIMEOUT_SECONDS", 60, minimum=1)

# --- CORS -----------------------------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
CORS_URLS_REGEX = r"^/(api(/.*)?|mcp/?)$"
CORS_ALLOW_METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]
CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]
# Allowed on /mcp only, besides the above: the MCP transport's own (api.middleware.CorsMiddleware).
CORS_MCP_ALLOW_HEADERS = ["Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    "Mcp-Session-Id",
]
CORS_PREFLIGHT_MAX_AGE = 600

# --- Cache (throttling state) ---------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL") or None
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "todo"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation, static files -------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"  # filled by `manage.py collectstatic`, served by WhiteNoise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Outside DEBUG: hashed names (cached forever) and pre-compressed copies.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Logging --------------------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "api.logging.RequestIDFilter"},
        "no_query_string": {"()": "api.logging.RequestWithoutQueryFilter"},
    },
    "formatters": {
        "json": {
            # python-json-logger's fields, serialised by orjson (compact).
            "()": "pythonjsonlogger.orjson.OrjsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        }
    },
    "handlers": {
        "console": {  # stdout: the process's event stream (twelve-factor); the server uses stderr
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id", "no_query_string"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our access log replaces Django's own request warnings (one line per request).
        "django.request": {"level": "ERROR"},
        # runserver's failed requests, through our handler (Django's own prints the query).
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The MCP SDK, the chat model's client and their HTTP library: warnings only (a line per
        # request and per MCP session is noise, and headers, with tokens and keys, stay out).
        "mcp": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "openai": {"level": "WARNING"},
        "openai.agents": {"level": "WARNING"},
    },
}
