from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import user_cache
        from .models import User

        def forget(sender, instance, **kwargs):
            user_cache.forget(instance.pk)

        # A user saved or deleted here (admin, services) is not served from the cache after.
        post_save.connect(forget, sender=User, weak=False, dispatch_uid="accounts.user_cache.save")
        post_delete.connect(
            forget, sender=User, weak=False, dispatch_uid="accounts.user_cache.delete"
        )


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (accounts.sites): its sign-in is rate-limited."""

    default = False  # installed by its dotted path, in place of "django.contrib.admin"
    default_site = "accounts.sites.TodoAdminSite"
