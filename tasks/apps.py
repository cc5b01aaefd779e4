from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"

    def ready(self):
        from api.db import use_compiled_timestamptz_loader

        # Task lists are mostly timestamps: parse them in C (see the function's docstring).
        connection_created.connect(use_compiled_timestamptz_loader, dispatch_uid="fast-tstz")
