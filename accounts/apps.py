from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (accounts.sites): its sign-in is rate-limited."""

    default = False  # installed by its dotted path, in place of "django.contrib.admin"
    default_site = "accounts.sites.TodoAdminSite"
