from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ApiConfig(AppConfig):
    """The HTTP conventions every app shares (its one model: kept Idempotency-Key responses)."""

    name = "api"

    def ready(self):
        from .db import use_compiled_timestamptz_loader

        # Lists are mostly timestamps: parse them in C (see the function's docstring).
        connection_created.connect(use_compiled_timestamptz_loader, dispatch_uid="fast-tstz")
