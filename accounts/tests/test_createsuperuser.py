"""`manage.py createsuperuser --noinput` as the README shows it: email and password from the
environment, for the email-based user."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long Staff passphrase 7"


def test_createsuperuser_noinput_takes_email_and_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Admin@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("createsuperuser", interactive=False, stdout=StringIO())

    admin = User.objects.get()
    assert admin.email == "admin@example.com"  # stored in lower case, like every email
    assert (admin.is_staff, admin.is_superuser, admin.is_active) == (True, True, True)
    assert admin.check_password(PASSWORD)
    client = Client()
    assert client.login(username="admin@example.com", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_createsuperuser_noinput_without_an_email_says_so(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="email"):
        call_command("createsuperuser", interactive=False, stdout=StringIO())

    assert not User.objects.exists()
